using Dla.Integration.Tests.Hosting;
using Microsoft.Data.Sqlite;

namespace Dla.Integration.Tests.Embedded;

/// <summary><c>dla run</c> as users run it: a real process on a folder, killed part-way and run again.</summary>
public sealed class EmbeddedRunTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("dla-embedded-");
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task A_killed_run_resumes_and_every_image_ends_with_exactly_one_outcome()
    {
        var golden = Executables.Golden();
        // Enough images that the first run is still busy when it is killed.
        var (dataset, files) = GoldenCopies("photos dataset", "set {0:D2} ünï");
        var expected = 8 * files.Length;
        var readable = 8 * (files.Length - 3);
        var weights = Path.Combine(golden, "models", "dla46_c", "weights.safetensors");
        var dataDir = _work.CreateSubdirectory("data").FullName;
        var environment = new Dictionary<string, string?> { ["DLA_CACHE_DIR"] = _work.CreateSubdirectory("cache").FullName };
        string[] args = ["run", dataset.FullName, "--model", "dla46_c", "--weights", weights, "--batch-size", "4", "--data-dir", dataDir, "--export", Path.Combine(_work.FullName, "results.jsonl")];
        var database = Path.Combine(dataDir, "dla.db");

        await using (var first = AppProcess.Start(Executables.Cli, environment, args))
        {
            while (Outcomes(database) < 12 && !first.HasExited)
            {
                await Task.Delay(100, _ct);
            }
            first.Kill();
            await first.WaitForExitAsync(_ct);
            output.WriteLine($"first run killed after {Outcomes(database)} outcomes");
        }
        var partial = Outcomes(database);
        Assert.InRange(partial, 1, expected - 1);

        await using var second = AppProcess.Start(Executables.Cli, environment, args);
        await second.WaitForExitAsync(_ct);
        output.WriteLine(second.Log);

        Assert.Equal(0, second.ExitCode);
        Assert.Contains("resuming job", second.Log, StringComparison.Ordinal);
        Assert.Contains("already done by an earlier run", second.Log, StringComparison.Ordinal);
        Assert.Equal(readable, Count(database, "SELECT COUNT(*) FROM results"));
        Assert.Equal(expected - readable, Count(database, "SELECT COUNT(*) FROM image_errors"));
        Assert.Equal(0, Count(database, "SELECT COUNT(*) FROM results r JOIN image_errors e ON e.JobId = r.JobId AND e.ImageId = r.ImageId"));
        Assert.Equal(expected, Count(database, "SELECT COUNT(*) FROM images"));
        Assert.Equal(1, Count(database, "SELECT COUNT(*) FROM jobs"));
        Assert.Equal(expected, File.ReadAllLines(Path.Combine(_work.FullName, "results.jsonl")).Length);
    }

    [Fact]
    public async Task A_run_whose_queue_wait_is_many_leases_long_succeeds_and_publishes_every_batch_once()
    {
        var golden = Executables.Golden();
        var (dataset, files) = GoldenCopies("backlog", "set {0:D2}");
        var dataDir = _work.CreateSubdirectory("backlog-data").FullName;
        // A two-second lease and one image per batch: the last batches wait in the queue for several leases. Under
        // leases that started at publish they were published again, and failed after MaxDispatches (the report).
        var environment = new Dictionary<string, string?>
        {
            ["DLA_CACHE_DIR"] = _work.CreateSubdirectory("backlog-cache").FullName,
            ["Scheduler__LeaseSeconds"] = "2",
            ["Scheduler__MaxDispatches"] = "2",
        };
        var weights = Path.Combine(golden, "models", "dla46_c", "weights.safetensors");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var run = AppProcess.Start(Executables.Cli, environment,
            ["run", dataset.FullName, "--model", "dla46_c", "--weights", weights, "--batch-size", "1", "--data-dir", dataDir]);
        await run.WaitForExitAsync(_ct);
        output.WriteLine(run.Log);
        output.WriteLine($"the run took {clock.Elapsed.TotalSeconds:0.0} s, {clock.Elapsed.TotalSeconds / 2:0.0} leases");

        var database = Path.Combine(dataDir, "dla.db");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(8 * files.Length, Count(database, "SELECT COUNT(*) FROM batches WHERE State = 'Completed'"));
        Assert.Equal(1, Count(database, "SELECT MAX(Dispatches) FROM batches"));
    }

    /// <summary>A dataset of the golden files eight times over, in subfolders named by <paramref name="folderFormat"/>; returns it and the golden files.</summary>
    private (DirectoryInfo Dataset, string[] Files) GoldenCopies(string name, string folderFormat)
    {
        var dataset = _work.CreateSubdirectory(name);
        var files = Directory.GetFiles(Path.Combine(Executables.Golden(), "images", "files"));
        for (var copy = 0; copy < 8; copy++)
        {
            var folder = dataset.CreateSubdirectory(string.Format(System.Globalization.CultureInfo.InvariantCulture, folderFormat, copy));
            foreach (var file in files)
            {
                File.Copy(file, Path.Combine(folder.FullName, Path.GetFileName(file)));
            }
        }
        return (dataset, files);
    }

    private static long Outcomes(string database) =>
        File.Exists(database) ? Count(database, "SELECT (SELECT COUNT(*) FROM results) + (SELECT COUNT(*) FROM image_errors)") : 0;

    private static long Count(string database, string sql)
    {
        try
        {
            using var connection = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (SqliteException)
        {
            // The schema is not there yet while the first run starts.
            return 0;
        }
    }
}
