using System.Net;

namespace Dla.Integration.Tests.Hosting;

/// <summary>
/// A stand-in for the Hugging Face Hub on a loopback port (the worker reaches it through <c>HF_ENDPOINT</c>)
/// that holds every weights download until <see cref="Release"/>, then serves the given safetensors file.
/// It lets a test see a worker before and after its model has loaded, without timing.
/// </summary>
internal sealed class GatedHub : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _weights;
    private readonly Task _serving;

    private GatedHub(string weightsFile, int port)
    {
        _weights = File.ReadAllBytes(weightsFile);
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public string Endpoint { get; }

    /// <summary>Completes when the first download request has arrived (and is being held).</summary>
    public Task Requested => _requested.Task;

    public static GatedHub Start(string weightsFile) => new(weightsFile, FreePort.Next());

    /// <summary>Lets held and later downloads complete.</summary>
    public void Release() => _released.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        _released.TrySetResult();
        _listener.Stop();
        _listener.Close();
        await _serving;
    }

    private async Task ServeAsync()
    {
        while (true)
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
            _ = RespondAsync(context);
        }
    }

    private async Task RespondAsync(HttpListenerContext context)
    {
        try
        {
            if (!context.Request.Url!.AbsolutePath.EndsWith("/resolve/main/model.safetensors", StringComparison.Ordinal))
            {
                context.Response.StatusCode = 404;
                return;
            }
            _requested.TrySetResult();
            await _released.Task;
            context.Response.ContentLength64 = _weights.Length;
            await context.Response.OutputStream.WriteAsync(_weights);
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException)
        {
            // The worker went away.
        }
        finally
        {
            context.Response.Close();
        }
    }
}
