namespace Dla.Cli.Tests.Jobs;

/// <summary>
/// The client commands against a scheduler that requires an API key: the key comes from <c>DLA_API_KEY</c>
/// or <c>--api-key</c>; without it the command exits 2 with the server's reason and where to set the key.
/// (This class is the only one here that touches <c>DLA_API_KEY</c>; its tests run one at a time.)
/// </summary>
public sealed class ApiKeyTests : IAsyncLifetime
{
    private const string Key = "cli-test-key-8e1f4c2a9b7d4d35";

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("dla-cli-apikey-");
    private readonly string? _savedKey = Environment.GetEnvironmentVariable("DLA_API_KEY");
    private LocalScheduler? _scheduler;
    private string _api = "";

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_work.FullName, "images"));
        _scheduler = await LocalScheduler.StartAsync(_work.FullName, settings: new Dictionary<string, string?> { ["Api:Keys:0"] = Key });
        _api = _scheduler.Address;
    }

    public async ValueTask DisposeAsync()
    {
        Environment.SetEnvironmentVariable("DLA_API_KEY", _savedKey);
        if (_scheduler is not null)
        {
            await _scheduler.DisposeAsync();
        }
        _work.Delete(recursive: true);
    }

    [Fact]
    public async Task Jobs_with_DLA_API_KEY_lists_what_submit_with_api_key_created()
    {
        Environment.SetEnvironmentVariable("DLA_API_KEY", null);
        var submitted = await CliHarness.RunAsync("submit", Path.Combine(_work.FullName, "images"), "--model", "dla34", "--api", _api, "--api-key", Key);
        Assert.True(submitted.Exit == 0, submitted.Err);
        var jobId = submitted.Out.Trim();

        Environment.SetEnvironmentVariable("DLA_API_KEY", Key);
        var (exit, output, error) = await CliHarness.RunAsync("jobs", "--api", _api);

        Assert.True(exit == 0, error);
        Assert.StartsWith(jobId, output.Split('\n')[1], StringComparison.Ordinal); // under the header
    }

    [Fact]
    public async Task Without_a_key_jobs_exits_2_saying_where_the_key_goes()
    {
        Environment.SetEnvironmentVariable("DLA_API_KEY", null);

        var (exit, output, error) = await CliHarness.RunAsync("jobs", "--api", _api);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.StartsWith("error: 401 Unauthorized: This API needs a key", error, StringComparison.Ordinal);
        Assert.Contains("(set DLA_API_KEY or --api-key to one of the scheduler's Api:Keys)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_key_exits_2_and_is_not_echoed()
    {
        Environment.SetEnvironmentVariable("DLA_API_KEY", "not-the-key-3c9d");

        var (exit, _, error) = await CliHarness.RunAsync("status", "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "--api", _api);

        Assert.Equal(2, exit);
        Assert.Contains("The API key is not valid.", error, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-key-3c9d", error, StringComparison.Ordinal);
    }
}
