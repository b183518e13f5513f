using Dla.Scheduler.Api;
using Microsoft.Extensions.Options;

namespace Dla.Scheduler.WebConsole;

/// <summary>
/// Signing in to the console: a key goes in once (a form posts it), comes back as the HttpOnly, SameSite=Strict
/// cookie <see cref="ApiKeyAuthenticationHandler.CookieName"/> that the API accepts like the header, and is checked
/// on every request against the configured keys, exactly as a header key is (tenants included).
/// </summary>
internal static class ConsoleLogin
{
    /// <summary>How long the browser keeps the cookie; removing the key from configuration ends the session sooner.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var session = endpoints.MapGroup("/ui/session").WithTags("Console").AllowAnonymous();
        session.MapGet("/", Current).WithSummary("Whether the console needs a key and who is signed in");
        session.MapPost("/", SignIn).WithSummary("Sign in with an API key (form field or JSON 'key'): sets the console cookie");
        session.MapDelete("/", SignOut).WithSummary("Sign out: removes the console cookie");
    }

    private static SessionView Current(HttpContext context, IOptionsMonitor<ApiKeyOptions> keys)
    {
        var open = keys.CurrentValue.IsOpen;
        var signedIn = context.User.Identity?.IsAuthenticated == true;
        return new SessionView(!open, signedIn, signedIn ? context.User.Identity!.Name : null, Caller.Tenant(context.User));
    }

    private static async Task<IResult> SignIn(HttpContext context, IOptionsMonitor<ApiKeyOptions> keys, CancellationToken cancellationToken)
    {
        var key = context.Request.HasFormContentType
            ? (await context.Request.ReadFormAsync(cancellationToken))["key"].ToString()
            : (await context.Request.ReadFromJsonAsync<SignInRequest>(cancellationToken))?.Key;
        var configured = keys.CurrentValue;
        if (configured.IsOpen)
        {
            return TypedResults.Ok(new SessionView(false, true, "open", null));
        }
        if (string.IsNullOrWhiteSpace(key) || ApiKeyAuthenticationHandler.Identify(configured, key.Trim()) is not { } caller)
        {
            // No cookie on a refusal: a wrong key must not replace a working session either.
            return TypedResults.Problem("The key is not one of the scheduler's API keys. Use a key from its Api:Keys or Api:Tenants:<name>:Keys setting.", statusCode: StatusCodes.Status401Unauthorized, title: "Invalid API key");
        }
        context.Response.Cookies.Append(ApiKeyAuthenticationHandler.CookieName, key.Trim(), CookieOptions(context, Lifetime));
        return TypedResults.Ok(new SessionView(true, true, caller.Name, caller.Tenant));
    }

    private static Microsoft.AspNetCore.Http.HttpResults.NoContent SignOut(HttpContext context)
    {
        context.Response.Cookies.Delete(ApiKeyAuthenticationHandler.CookieName, CookieOptions(context, TimeSpan.Zero));
        return TypedResults.NoContent();
    }

    private static CookieOptions CookieOptions(HttpContext context, TimeSpan lifetime) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        // Behind TLS the cookie never travels in clear; on plain http (local use) a Secure cookie would not be sent back.
        Secure = context.Request.IsHttps,
        Path = "/",
        MaxAge = lifetime,
        IsEssential = true,
    };

    private sealed record SignInRequest(string? Key);
}

/// <summary>The console's session: whether keys are required, whether the caller is signed in, as whom, and its tenant.</summary>
public sealed record SessionView(bool KeyRequired, bool SignedIn, string? Name, string? Tenant);
