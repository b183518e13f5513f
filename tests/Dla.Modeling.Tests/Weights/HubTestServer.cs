using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Dla.Modeling.Tests.Weights;

/// <summary>
/// A real HTTP server on 127.0.0.1 that answers like the Hugging Face Hub: files under
/// <c>/{repo}/resolve/{revision}/{file}</c>, 404 with <c>X-Error-Code</c> for anything else. It
/// counts requests per path so tests can tell a cache hit from a download.
/// </summary>
internal sealed class HubTestServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentDictionary<string, Func<HttpListenerResponse, Task>> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string?> _authorizations = new();
    private readonly Task _loop;

    private HubTestServer(HttpListener listener, Uri endpoint)
    {
        _listener = listener;
        Endpoint = endpoint;
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>Base URL to use as the hub endpoint, without a trailing slash.</summary>
    public Uri Endpoint { get; }

    /// <summary>The Authorization header of every request, in arrival order.</summary>
    public IReadOnlyCollection<string?> Authorizations => _authorizations;

    public static HubTestServer Start()
    {
        // HttpListener cannot bind port 0, so borrow a free port from the OS and retry on a race.
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new HubTestServer(listener, new Uri($"http://127.0.0.1:{port}"));
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    /// <summary>A port nothing listens on, for "connection refused".</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public static string ResolvePath(string repo, string revision = "main") => $"/{repo}/resolve/{revision}/model.safetensors";

    public int Hits(string path) => _hits.GetValueOrDefault(path);

    /// <summary>Serves bytes with extra headers (e.g. X-Linked-ETag), optionally after a delay.</summary>
    public void Serve(string path, byte[] body, IReadOnlyDictionary<string, string>? headers = null, TimeSpan delay = default) =>
        _routes[path] = async response =>
        {
            await Task.Delay(delay);
            AddHeaders(response, headers);
            response.ContentType = "application/octet-stream";
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body);
        };

    /// <summary>Answers 302 to another path with extra headers, as the hub does for LFS files.</summary>
    public void Redirect(string path, string location, IReadOnlyDictionary<string, string>? headers = null) =>
        _routes[path] = response =>
        {
            AddHeaders(response, headers);
            response.StatusCode = 302;
            response.RedirectLocation = location;
            return Task.CompletedTask;
        };

    /// <summary>Answers an error status with the hub's X-Error-Code header.</summary>
    public void Fail(string path, int status, string errorCode) =>
        _routes[path] = response =>
        {
            response.StatusCode = status;
            response.Headers["X-Error-Code"] = errorCode;
            return Task.CompletedTask;
        };

    public void Dispose()
    {
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            var path = context.Request.Url!.AbsolutePath;
            _hits.AddOrUpdate(path, 1, (_, n) => n + 1);
            _authorizations.Enqueue(context.Request.Headers["Authorization"]);
            try
            {
                var route = _routes.GetValueOrDefault(path) ?? (response =>
                {
                    response.StatusCode = 404;
                    response.Headers["X-Error-Code"] = "RepoNotFound";
                    return Task.CompletedTask;
                });
                await route(context.Response);
                context.Response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The client gave up (e.g. a timeout test); nothing to answer.
            }
        }
    }

    private static void AddHeaders(HttpListenerResponse response, IReadOnlyDictionary<string, string>? headers)
    {
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            response.Headers[name] = value;
        }
    }
}
