namespace Dla.Cli.Tests.Jobs;

/// <summary>
/// The client commands end to end against a real scheduler with a worker on its bus (SQLite, in-memory
/// transport, in this process): submit, status --watch, search by an uploaded image and by a dataset
/// path, export, cancel and retry, including the answers for operations a job's state refuses.
/// </summary>
public sealed class ClientCommandsTests : IAsyncLifetime
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("dla-cli-client-");
    private LocalScheduler? _scheduler;
    private string _api = "";
    private string _images = "";
    private string _weights = "";

    public async ValueTask InitializeAsync()
    {
        var golden = CliHarness.Golden();
        _images = Directory.CreateDirectory(Path.Combine(_work.FullName, "images")).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(golden, "images", "files")))
        {
            File.Copy(file, Path.Combine(_images, Path.GetFileName(file)));
        }
        _weights = Path.Combine(golden, "models", "dla46_c", "weights.safetensors");
        _scheduler = await LocalScheduler.StartAsync(_work.FullName, withWorker: true, new Dictionary<string, string?> { ["Models:AllowedRoots:0"] = Path.Combine(golden, "models") });
        _api = _scheduler.Address;
    }

    public async ValueTask DisposeAsync()
    {
        if (_scheduler is not null)
        {
            await _scheduler.DisposeAsync();
        }
        _work.Delete(recursive: true);
    }

    [Fact]
    public async Task Submit_watch_search_export_and_the_refused_cancel_and_retry_of_a_finished_job()
    {
        var submitted = await Cli("submit", _images, "--model", "dla46_c", "--weights", _weights, "--batch-size", "4");
        var jobId = submitted.Trim();
        Assert.True(Guid.TryParse(jobId, out _), submitted);

        var (watchExit, watched, _) = await CliHarness.RunAsync("status", jobId, "--watch", "--api", _api);
        Assert.Equal(0, watchExit);
        Assert.Contains("Succeeded: 13 succeeded, 3 failed of 16", watched, StringComparison.Ordinal);

        var byUpload = await Cli("search", jobId, "--image", Path.Combine(_images, "baboon.jpg"), "-k", "3");
        Assert.Contains("baboon.jpg", byUpload, StringComparison.Ordinal);
        var byPath = await Cli("search", jobId, "--path", "chelsea.png", "-k", "1");
        Assert.Contains("chelsea.png", byPath, StringComparison.Ordinal);

        var csv = Path.Combine(_work.FullName, "results.csv");
        await Cli("export", jobId, "-o", csv);
        Assert.Equal(17, (await File.ReadAllLinesAsync(csv, TestContext.Current.CancellationToken)).Length);

        var (cancelExit, _, cancelError) = await CliHarness.RunAsync("cancel", jobId, "--api", _api);
        Assert.Equal(2, cancelExit);
        Assert.Contains("409", cancelError, StringComparison.Ordinal);
        var (retryExit, _, retryError) = await CliHarness.RunAsync("retry", jobId, "--api", _api);
        Assert.Equal(2, retryExit);
        Assert.Contains("409", retryError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_stops_a_running_job_and_status_says_so()
    {
        var jobId = (await Cli("submit", _images, "--model", "dla46_c", "--weights", _weights, "--batch-size", "1")).Trim();

        var cancelled = await Cli("cancel", jobId);

        Assert.Contains("\"state\":\"cancelled\"", cancelled, StringComparison.Ordinal);
        var (exit, watched, _) = await CliHarness.RunAsync("status", jobId, "--watch", "--api", _api);
        Assert.Equal(1, exit);
        Assert.Contains("Cancelled:", watched, StringComparison.Ordinal);
    }

    /// <summary>Runs a client command against the test's scheduler; asserts it succeeded and returns its output.</summary>
    [Fact]
    public async Task Status_prints_a_summary_jobs_a_table_and_json_on_request_and_an_unknown_id_is_an_error_line()
    {
        var jobId = (await Cli("submit", _images, "--model", "dla46_c", "--weights", _weights, "--batch-size", "8")).Trim();
        await CliHarness.RunAsync("status", jobId, "--watch", "--api", _api);

        var summary = await Cli("status", jobId);
        var document = System.Text.Json.JsonDocument.Parse(await Cli("status", jobId, "--json")).RootElement;
        var table = (await Cli("jobs")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var (unknownExit, _, unknownError) = await CliHarness.RunAsync("status", Guid.NewGuid().ToString(), "--api", _api);

        Assert.Contains($"job       {jobId}  succeeded", summary, StringComparison.Ordinal);
        Assert.Contains("progress  16/16 images: 13 succeeded, 3 failed, 0 left", summary, StringComparison.Ordinal);
        Assert.Contains($"dla retry {jobId}", summary, StringComparison.Ordinal);
        Assert.Equal(jobId, document.GetProperty("id").GetString());
        Assert.Equal(13, document.GetProperty("progress").GetProperty("succeeded").GetInt64());
        Assert.Matches(@"^ID\s+STATE\s+DONE\s+PRIORITY\s+MODEL\s+CREATED\s+DATASET$", table[0]);
        Assert.Contains(table.Skip(1), row => row.StartsWith(jobId, StringComparison.Ordinal) && row.Contains("succeeded", StringComparison.Ordinal) && row.Contains("16/16", StringComparison.Ordinal));
        Assert.Equal(2, unknownExit);
        Assert.StartsWith("error: ", unknownError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", unknownError, StringComparison.Ordinal);
    }

    private async Task<string> Cli(params string[] args)
    {
        var (exit, output, error) = await CliHarness.RunAsync([.. args, "--api", _api]);
        Assert.True(exit == 0, $"dla {string.Join(' ', args)} exited {exit}: {error}");
        return output;
    }
}
