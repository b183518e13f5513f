using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dla.Integration.Tests.Reliability;

/// <summary>
/// An HTTP proxy in front of Azurite that misbehaves on purpose: it answers a share of requests with
/// 503 Server Busy, delays requests (listings separately), holds listings after a number of pages, and can fail every request for
/// chosen blobs. The applications reach blob storage only through it (their connection string points here).
/// </summary>
internal sealed class BlobFaultProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly TaskCompletionSource _listingResumed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _requests, _injected, _listings;

    private BlobFaultProxy(WebApplication app, Uri upstream)
    {
        _app = app;
        _upstream = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = upstream, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Share of requests answered 503 without reaching Azurite (0–1).</summary>
    public double FailureRate { get; set; }

    /// <summary>Delay before every request.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Extra delay before every listing request (<c>comp=list</c>).</summary>
    public TimeSpan ListingLatency { get; set; }

    /// <summary>
    /// Listing requests (<c>comp=list</c>) answered before the next ones are held until <see cref="ResumeListing"/>;
    /// null holds none. A listing held this way cannot finish however slow the rest of a test is.
    /// </summary>
    public int? HoldListingAfter { get; set; }

    /// <summary>Lets held and later listing requests through.</summary>
    public void ResumeListing() => _listingResumed.TrySetResult();

    /// <summary>Blobs (by decoded request path) whose every request fails with 500: a poison cause.</summary>
    public Func<string, bool>? AlwaysFail { get; set; }

    public long Requests => Interlocked.Read(ref _requests);

    public long InjectedFailures => Interlocked.Read(ref _injected);

    /// <summary>The connection string of the proxied account (Azurite's, with the proxy as the blob endpoint).</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>Starts a proxy on a free loopback port in front of the account of <paramref name="connectionString"/>.</summary>
    public static async Task<BlobFaultProxy> StartAsync(string connectionString, CancellationToken ct)
    {
        var endpoint = new Uri(connectionString.Split(';').Single(part => part.StartsWith("BlobEndpoint=", StringComparison.Ordinal))["BlobEndpoint=".Length..]);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var proxy = new BlobFaultProxy(app, new Uri(endpoint.GetLeftPart(UriPartial.Authority)));
        app.Run(proxy.ForwardAsync);
        await app.StartAsync(ct);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        proxy.ConnectionString = connectionString.Replace(endpoint.GetLeftPart(UriPartial.Authority), address.GetLeftPart(UriPartial.Authority), StringComparison.Ordinal);
        return proxy;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var request = context.Request;
        var listing = request.Query["comp"] == "list";
        var delay = Latency + (listing ? ListingLatency : TimeSpan.Zero);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, context.RequestAborted);
        }
        if (listing && Interlocked.Increment(ref _listings) > HoldListingAfter)
        {
            await _listingResumed.Task.WaitAsync(context.RequestAborted);
        }
        if (AlwaysFail?.Invoke(Uri.UnescapeDataString(request.Path)) == true)
        {
            await FailAsync(context, HttpStatusCode.InternalServerError, "InternalError");
            return;
        }
        if (Random.Shared.NextDouble() < FailureRate)
        {
            await FailAsync(context, HttpStatusCode.ServiceUnavailable, "ServerBusy");
            return;
        }
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), request.Path + request.QueryString);
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            forward.Content = new StreamContent(request.Body);
        }
        foreach (var (name, values) in request.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            if (!forward.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                forward.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }
        using var response = await _upstream.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private async Task FailAsync(HttpContext context, HttpStatusCode status, string code)
    {
        Interlocked.Increment(ref _injected);
        context.Response.StatusCode = (int)status;
        context.Response.Headers["x-ms-error-code"] = code;
        await context.Response.WriteAsync($"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{code}</Code><Message>Injected by the test's fault proxy.</Message></Error>", context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
