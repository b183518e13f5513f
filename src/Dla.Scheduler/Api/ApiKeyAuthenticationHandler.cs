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
/// <c>X-Api-Key: &lt;key&gt;</c>, or in the console's login cookie (<see cref="CookieName"/>), against the administrator keys and every tenant's keys (<see cref="ApiKeyOptions"/>);
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

    /// <summary>
    /// The console's HttpOnly, SameSite=Strict login cookie (WebConsole/ConsoleLogin.cs sets it). It holds the key itself,
    /// so it is valid on every scheduler replica and ends when the key is removed from configuration; script never sees it.
    /// </summary>
    public const string CookieName = "dla_api_key";

    /// <summary>Set on identities authenticated by the cookie: their state-changing requests get the console's CSRF check.</summary>
    public const string CookieClaim = "dla:cookie";

    private const string InvalidKey = "The API key is not valid.";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var configured = keys.CurrentValue;
        if (configured.IsOpen)
        {
            // No key configured: the API is open (the scheduler warned at start).
            return Task.FromResult(Success("open", tenant: null));
        }
        var (presented, viaCookie) = PresentedKey();
        if (presented is not { Length: > 0 })
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        return Task.FromResult(Identify(configured, presented) is { } caller
            ? Success(caller.Name, caller.Tenant, viaCookie)
            : AuthenticateResult.Fail(InvalidKey));
    }

    /// <summary>The caller a key names (its name and tenant), or null when it is none of the configured keys.</summary>
    public static (string Name, string? Tenant)? Identify(ApiKeyOptions configured, string presented)
    {
        var candidates = configured.Keys.Select((key, i) => (Key: key, Name: $"api-key-{i}", Tenant: (string?)null))
            .Concat(configured.Tenants.SelectMany(t => t.Value.Keys.Select((key, i) => (Key: key, Name: $"tenant-{t.Key}-key-{i}", Tenant: (string?)t.Key))))
            .ToList();
        var index = IndexOf(presented, candidates.Select(c => c.Key).ToList());
        return index < 0 ? null : (candidates[index].Name, candidates[index].Tenant);
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

    /// <summary>The key a request carries: a header wins over the cookie (a client that names its key means that one).</summary>
    private (string? Key, bool ViaCookie) PresentedKey()
    {
        var authorization = Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return (authorization["Bearer ".Length..].Trim(), false);
        }
        var header = Request.Headers[HeaderName].ToString().Trim();
        return header.Length > 0 ? (header, false) : (Request.Cookies[CookieName], true);
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

    private static AuthenticateResult Success(string name, string? tenant, bool viaCookie = false)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name) };
        if (viaCookie)
        {
            claims.Add(new Claim(CookieClaim, "true"));
        }
        if (tenant is not null)
        {
            claims.Add(new Claim(Caller.TenantClaim, tenant));
        }
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }
}
