using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Dla.Scheduler.WebConsole;

/// <summary>
/// The console's HTML, script and style sheets, embedded in the scheduler's assembly (WebConsole/wwwroot): nothing is
/// fetched from elsewhere at run time, so an offline cluster gets the whole console. Every response carries a
/// Content-Security-Policy that allows only this origin (no inline script), and the files are revalidated by
/// ETag so a new scheduler version is picked up at once.
/// </summary>
internal static class ConsoleAssets
{
    public const string Prefix = "/ui";

    private const string Policy = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly IFileProvider Files = new EmbeddedFileProvider(typeof(ConsoleAssets).Assembly, "Dla.Scheduler.WebConsole.wwwroot");

    /// <summary>Files under <c>/ui/</c> (before routing, so the page routes below never shadow a file).</summary>
    public static StaticFileOptions Static { get; } = new()
    {
        RequestPath = Prefix,
        FileProvider = Files,
        OnPrepareResponse = Secure,
    };

    /// <summary>The shell (<c>index.html</c>) for every page address; the script draws the page the address names.</summary>
    public static StaticFileOptions Shell { get; } = new()
    {
        FileProvider = Files,
        OnPrepareResponse = Secure,
    };

    private static void Secure(StaticFileResponseContext context)
    {
        var headers = context.Context.Response.Headers;
        headers.ContentSecurityPolicy = Policy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        headers.CacheControl = "no-cache";
    }
}
