using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Dla.Scheduler.Api;

/// <summary>
/// Authenticates a request by the API key it carries, as <c>Authorization: Bearer &lt;key&gt;</c> or
/// <c>X-Api-Key: &lt;key&gt;</c>, against the administrator keys and every tenant's keys (<see cref="ApiKeyOptions"/>);
/// a tenant key's identity carries its tenant (<see cref="Caller"/>). The comparison takes the same
/// time whichever key (or none) matches, and neither the key nor a prefix of it is ever logged: the
/// identity is the key's position in the list. A refused request gets 401, a problem body saying what is
/// missing or wrong, and <c>WWW-Authenticate: Bearer</c>.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptionsMonitor<ApiKeyOptions> keys,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";

    public const string HeaderName = "X-Api-Key";

    private const string InvalidKey = "The API key is not valid.";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var configured = keys.CurrentValue;
        if (configured.IsOpen)
        {
            // No key configured: the API is open (the scheduler warned at start).
            return Task.FromResult(Success("open", tenant: null));
        }
        if (PresentedKey() is not { Length: > 0 } presented)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        var candidates = configured.Keys.Select((key, i) => (Key: key, Name: $"api-key-{i}", Tenant: (string?)null))
            .Concat(configured.Tenants.SelectMany(t => t.Value.Keys.Select((key, i) => (Key: key, Name: $"tenant-{t.Key}-key-{i}", Tenant: (string?)t.Key))))
            .ToList();
        var index = IndexOf(presented, candidates.Select(c => c.Key).ToList());
        return Task.FromResult(index < 0 ? AuthenticateResult.Fail(InvalidKey) : Success(candidates[index].Name, candidates[index].Tenant));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var wrong = result.Failure is not null;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        // RFC 6750: a bare challenge when no credentials came, invalid_token when they were wrong.
        Response.Headers.WWWAuthenticate = wrong ? "Bearer error=\"invalid_token\"" : "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = wrong ? "Invalid API key" : "API key required",
                Detail = wrong
                    ? $"{InvalidKey} Send one of the scheduler's keys (Api:Keys or Api:Tenants:<name>:Keys)."
                    : $"This API needs a key: send 'Authorization: Bearer <key>' or '{HeaderName}: <key>' (the dla CLI sends DLA_API_KEY or --api-key).",
            },
        });
    }

    private string? PresentedKey()
    {
        var authorization = Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }
        return Request.Headers[HeaderName].ToString().Trim();
    }

    /// <summary>
    /// The position of <paramref name="presented"/> in <paramref name="configured"/>, or -1. Every key is
    /// compared, by SHA-256 digest with <see cref="CryptographicOperations.FixedTimeEquals"/>, so neither
    /// the time taken nor the digests' lengths tell how much of a key was right.
    /// </summary>
    private static int IndexOf(string presented, List<string> configured)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var found = -1;
        for (var i = 0; i < configured.Count; i++)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, SHA256.HashData(Encoding.UTF8.GetBytes(configured[i]))) && found < 0)
            {
                found = i;
            }
        }
        return found;
    }

    private static AuthenticateResult Success(string name, string? tenant)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name) };
        if (tenant is not null)
        {
            claims.Add(new Claim(Caller.TenantClaim, tenant));
        }
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }
}
