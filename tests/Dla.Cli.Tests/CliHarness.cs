namespace Dla.Cli.Tests;

/// <summary>Runs the real command tree in-process with standard output and error captured.</summary>
internal static class CliHarness
{
    private static readonly SemaphoreSlim ConsoleLock = new(1, 1);

    // The commands' caches and `dla run`'s default SQLite file (used by the cases that give no --data-dir) stay out
    // of the home directory, where a stale file of an earlier run could change what a test sees.
    static CliHarness()
    {
        var scratch = Directory.CreateTempSubdirectory("dla-cli-tests-").FullName;
        Environment.SetEnvironmentVariable("DLA_CACHE_DIR", Path.Combine(scratch, "cache"));
        Environment.SetEnvironmentVariable("DLA_DATA_DIR", Path.Combine(scratch, "data"));
    }

    public static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        await ConsoleLock.WaitAsync();
        var (stdout, stderr) = (Console.Out, Console.Error);
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            Console.SetOut(output);
            Console.SetError(error);
            var exit = await CliRunner.InvokeAsync(DlaCommandLine.Create(), args);
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
            ConsoleLock.Release();
        }
    }

    /// <summary>shared/golden beside the repository root; skips the test when absent.</summary>
    public static string Golden()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var golden = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "golden"));
            if (File.Exists(Path.Combine(dir.FullName, "Dla.sln")) && Directory.Exists(golden))
            {
                return golden;
            }
        }
        Assert.Skip("Golden reference data (../shared/golden beside the repository root) is absent.");
        return "";
    }
}
