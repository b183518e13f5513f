using System.Diagnostics;
using Dla.Integration.Tests.Hosting;

namespace Dla.Integration.Tests.Embedded;

/// <summary>
/// The README's first command, run as a new user runs it: in a fresh clone of this repository with nothing
/// beside it (no ../shared), a fresh HOME (no model cache, no database) and no network access needed. NuGet
/// packages come from this machine's package folder, which a user's first restore would fill; the command
/// itself must need nothing else.
/// </summary>
public sealed class ReadmeFirstCommandTests
{
    [Fact]
    public async Task The_first_command_of_the_readme_runs_in_a_plain_clone_and_writes_an_export_marked_untrained()
    {
        var command = FirstCommand();
        Assert.DoesNotContain("../shared", command, StringComparison.Ordinal);
        var work = Directory.CreateTempSubdirectory("dla-readme-");
        try
        {
            var clone = Path.Combine(work.FullName, "dla");
            var (cloned, cloneLog) = await RunAsync("git", ["clone", "--quiet", "--depth", "1", $"file://{Executables.RepositoryRoot}", clone], work.FullName, new());
            Assert.True(cloned == 0, cloneLog);
            Assert.False(Directory.Exists(Path.Combine(work.FullName, "shared")));
            var home = Directory.CreateDirectory(Path.Combine(work.FullName, "home")).FullName;
            var environment = new Dictionary<string, string>
            {
                ["HOME"] = home,
                ["NUGET_PACKAGES"] = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } packages
                    ? packages : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
                ["DOTNET_NOLOGO"] = "1",
                ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
                ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            };

            var (exit, log) = await RunAsync("bash", ["-c", command], clone, environment);

            Assert.True(exit == 0, log);
            Assert.Contains("warning:", log, StringComparison.Ordinal);
            Assert.Contains("untrained", log, StringComparison.Ordinal);
            var lines = await File.ReadAllLinesAsync(Path.Combine(clone, "results.csv"), TestContext.Current.CancellationToken);
            var photos = Directory.GetFiles(Path.Combine(clone, "samples", "photos"), "*.jpg");
            Assert.Equal(photos.Length + 1, lines.Length);
            Assert.StartsWith("image,index_0,", lines[0], StringComparison.Ordinal);
            Assert.EndsWith(",error,untrained", lines[0], StringComparison.Ordinal);
            Assert.All(lines.Skip(1), row => Assert.EndsWith(",true", row, StringComparison.Ordinal));
            Assert.Equal(photos.Select(Path.GetFileName).Order(StringComparer.Ordinal), lines.Skip(1).Select(l => l.Split(',')[0]).Order(StringComparer.Ordinal));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The first line of the README's first code block.</summary>
    private static string FirstCommand()
    {
        var readme = File.ReadAllLines(Path.Combine(Executables.RepositoryRoot, "README.md"));
        var start = Array.FindIndex(readme, l => l.StartsWith("```bash", StringComparison.Ordinal));
        Assert.True(start >= 0, "README.md has no bash block");
        return readme[start + 1];
    }

    private static async Task<(int Exit, string Log)> RunAsync(string file, string[] args, string directory, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        // Generous: the clone builds the command-line tool from scratch first.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, $"exit {process.ExitCode}\n{await output}\n{await error}");
    }
}
