using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Dla.Scheduler.Api;

/// <summary>
/// Caps every request body at <see cref="RequestLimitOptions"/>: a declared length over the cap is refused
/// before anything is read; a chunked body is cut off by the server when it passes the cap. Either way the
/// client gets 413 with the limit, not a 500 from a reader that ran out of room.
/// </summary>
internal sealed class RequestLimits(RequestDelegate next, IOptions<RequestLimitOptions> options)
{
    /// <summary>Room for the multipart boundaries and small fields around an uploaded file.</summary>
    private const long MultipartOverhead = 64 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        var limits = options.Value;
        var (limit, setting) = context.Request.HasFormContentType
            ? (limits.MaxUploadBytes + MultipartOverhead, $"Api:MaxUploadBytes ({limits.MaxUploadBytes} bytes)")
            : (limits.MaxJsonBytes, $"Api:MaxJsonBytes ({limits.MaxJsonBytes} bytes)");
        if (context.Request.ContentLength > limit)
        {
            await TooLargeAsync(context, setting);
            return;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }
        try
        {
            await next(context);
        }
        catch (Exception ex) when (IsTooLarge(ex) && !context.Response.HasStarted)
        {
            await TooLargeAsync(context, setting);
        }
    }

    private static bool IsTooLarge(Exception ex) =>
        ex is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
        // The form reader's own cap (FormOptions.MultipartBodyLengthLimit, set to Api:MaxUploadBytes).
        || (ex is InvalidDataException && ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase));

    private static Task TooLargeAsync(HttpContext context, string setting)
    {
        context.Response.Clear();
        // The rest of an oversized body is not read: the connection closes after the answer.
        context.Response.Headers.Connection = "close";
        return Results.Problem($"The request body is larger than {setting}. Send a smaller one (a search image: resize it first), or raise {setting} in the scheduler's configuration.", statusCode: StatusCodes.Status413PayloadTooLarge,
            title: "The request is too large.").ExecuteAsync(context);
    }
}
