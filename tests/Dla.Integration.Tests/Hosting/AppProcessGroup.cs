namespace Dla.Integration.Tests.Hosting;

/// <summary>The application processes one test started, each on its own loopback port; disposing stops them all.</summary>
internal sealed class AppProcessGroup : IAsyncDisposable
{
    private readonly List<AppProcess> _processes = [];

    /// <summary>True when any of them has exited (a test waiting on them can give up).</summary>
    public bool AnyExited => _processes.Any(p => p.HasExited);

    /// <summary>Starts <paramref name="dll"/> with <paramref name="environment"/>, listening on <paramref name="port"/>.</summary>
    public AppProcess Start(string dll, Dictionary<string, string?> environment, int port) =>
        Add(AppProcess.Start(dll, new Dictionary<string, string?>(environment) { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" }));

    /// <summary>Takes a process started otherwise into the group.</summary>
    public AppProcess Add(AppProcess process)
    {
        _processes.Add(process);
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }
    }
}
