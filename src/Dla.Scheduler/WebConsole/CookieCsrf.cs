using Dla.Scheduler.Api;

namespace Dla.Scheduler.WebConsole;

/// <summary>
/// Cross-site request forgery defence for cookie-authenticated requests. SameSite=Strict already keeps the cookie
/// off requests other sites start; in addition a state-changing request (POST, PUT, PATCH, DELETE) that signs in
/// with the cookie, or signs in at all, must carry <see cref="HeaderName"/> (a header a cross-site form cannot set
/// and cross-site script cannot send without a CORS preflight this server never grants), and an Origin header, when
/// the browser sends one, must be this server's. Requests with a key in a header (the CLI, scripts) are not affected.
/// </summary>
internal sealed class CookieCsrf(RequestDelegate next)
{
    /// <summary>The header the console's script sends on every request.</summary>
    public const string HeaderName = "X-Dla-Console";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var changesState = HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method);
        var byCookie = context.User.HasClaim(c => c.Type == ApiKeyAuthenticationHandler.CookieClaim);
        var signingIn = request.Path.StartsWithSegments("/ui/session");
        if (changesState && (byCookie || signingIn) && Refusal(request) is { } reason)
        {
            await Results.Problem(reason, statusCode: StatusCodes.Status403Forbidden, title: "Cross-site request refused.").ExecuteAsync(context);
            return;
        }
        await next(context);
    }

    private static string? Refusal(HttpRequest request)
    {
        if (string.IsNullOrEmpty(request.Headers[HeaderName]))
        {
            return $"A request signed in by the console's cookie must carry the {HeaderName} header (the console sends it).";
        }
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !(Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)))
        {
            return $"The request comes from '{origin}', not from this server. Use the console served by this scheduler, or call the API with an API key instead of the console's cookie.";
        }
        return null;
    }
}
