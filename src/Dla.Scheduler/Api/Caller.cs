using System.Security.Claims;

namespace Dla.Scheduler.Api;

/// <summary>Who is calling, as the API key authentication established it: a tenant, or an administrator (no tenant).</summary>
public static class Caller
{
    /// <summary>The claim that carries a tenant key's tenant name.</summary>
    public const string TenantClaim = "dla:tenant";

    /// <summary>The caller's tenant, or null for an administrator key (or the open API).</summary>
    public static string? Tenant(ClaimsPrincipal user) => user.FindFirst(TenantClaim)?.Value;
}
