using System.Diagnostics;
using System.Text;

namespace Dla.Integration.Tests.Hosting;

/// <summary>
/// One of the project's executables running as a real, separate process (as in production): started
/// with environment variables only, its output kept for diagnostics, stopped with SIGTERM or SIGKILL.
/// </summary>
internal sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private AppProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts <c>dotnet &lt;dll&gt; args</c> with <paramref name="environment"/> added to this process's environment.</summary>
    public static AppProcess Start(string dll, IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        Start(dll, environment, args, inheritConfiguration: true);

    /// <summary>
    /// Starts <c>dotnet &lt;dll&gt; args</c> configured by <paramref name="environment"/> alone, as a container is:
    /// inherited variables an application would read as configuration (<c>X__Y</c>, <c>ASPNETCORE_*</c>,
    /// <c>DOTNET_*</c> but the runtime's location, <c>DLA_*</c>, <c>HF_*</c>) are removed first.
    /// </summary>
    public static AppProcess StartWithOnly(string dll, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> args) =>
        Start(dll, environment.ToDictionary(v => v.Key, v => (string?)v.Value), args, inheritConfiguration: false);

    private static AppProcess Start(string dll, IReadOnlyDictionary<string, string?> environment, IReadOnlyList<string> args, bool inheritConfiguration)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        if (!inheritConfiguration)
        {
            foreach (var name in info.Environment.Keys.Where(IsConfiguration).ToList())
            {
                info.Environment.Remove(name);
            }
        }
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var app = new AppProcess(process);
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
    }

    /// <summary>Polls <paramref name="url"/> until it answers 2xx or the process exits.</summary>
    public async Task WaitHealthyAsync(string url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The process exited with {_process.ExitCode} before becoming healthy:\n{Log}");
            }
            try
            {
                if ((await http.GetAsync(url, cancellationToken)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            await Task.Delay(250, cancellationToken);
        }
        throw new TimeoutException($"{url} did not become healthy within {timeout}:\n{Log}");
    }

    /// <summary>Sends SIGTERM (a graceful stop, as Kubernetes does).</summary>
    public void Terminate() => Signal("TERM");

    /// <summary>Sends SIGKILL (a crash).</summary>
    public void Kill() => Signal("KILL");

    /// <summary>Sends SIGSTOP: the process is frozen with its connections open, as a hung or swapped-out worker is.</summary>
    public void Freeze() => Signal("STOP");

    /// <summary>Sends SIGCONT: a frozen process carries on where it stopped.</summary>
    public void Thaw() => Signal("CONT");

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Signal(string signal)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", $"-{signal} {_process.Id}");
            kill.WaitForExit();
        }
    }

    private static bool IsConfiguration(string name) =>
        name.Contains("__", StringComparison.Ordinal) || name.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || name.StartsWith("DLA_", StringComparison.Ordinal)
        || name.StartsWith("HF_", StringComparison.Ordinal) || (name.StartsWith("DOTNET_", StringComparison.Ordinal) && !name.StartsWith("DOTNET_ROOT", StringComparison.Ordinal));

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
