using System.Security.Cryptography;
using System.Text;
using Dla.Modeling.Weights;

namespace Dla.Modeling.Tests.Weights;

public sealed class HuggingFaceHubTests : IDisposable
{
    private const string Repo = "timm/dla46_c.in1k";
    private static readonly string ResolvePath = HubTestServer.ResolvePath(Repo);

    private readonly HubTestServer _server = HubTestServer.Start();
    private readonly DirectoryInfo _cache = Directory.CreateTempSubdirectory("dla-hub-tests-");
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _server.Dispose();
        _cache.Delete(recursive: true);
    }

    [Fact]
    public async Task Label_names_come_from_config_json_and_are_absent_without_it_or_without_the_key()
    {
        const string FineTuned = "someone/dla34.cats";
        const string Plain = "someone/dla34.plain";
        var config = $"/{FineTuned}/resolve/main/config.json";
        _server.Serve(config, Encoding.UTF8.GetBytes("""{"architecture": "dla34", "num_classes": 3, "label_names": ["tabby", "siamese", "persian"]}"""));
        _server.Serve($"/{Plain}/resolve/main/config.json", Encoding.UTF8.GetBytes("""{"architecture": "dla34", "num_classes": 1000}"""));
        _server.Serve("/someone/broken/resolve/main/config.json", Encoding.UTF8.GetBytes("{not json"));
        using var hub = Client();

        Assert.Equal(["tabby", "siamese", "persian"], await hub.ReadLabelNamesAsync(new HubWeightsReference(FineTuned), _ct));
        Assert.Null(await hub.ReadLabelNamesAsync(new HubWeightsReference(Plain), _ct));
        Assert.Null(await hub.ReadLabelNamesAsync(new HubWeightsReference("someone/no-config"), _ct));
        var broken = await Assert.ThrowsAsync<WeightsDownloadException>(() => hub.ReadLabelNamesAsync(new HubWeightsReference("someone/broken"), _ct));
        Assert.Contains("config.json of hf:someone/broken@main is not JSON", broken.Message, StringComparison.Ordinal);
        Assert.Equal(1, _server.Hits(config));
    }

    [Fact]
    public async Task Golden_weights_download_into_the_cache_and_are_reused_without_a_second_request()
    {
        var golden = HubGoldenWeights.Dla46C();
        _server.Serve(ResolvePath, golden, LinkedETag($"\"{Sha256(golden)}\""));
        var reports = new List<HubDownloadProgress>();
        using var hub = Client();

        var path = await hub.DownloadAsync(new HubWeightsReference(Repo), new SynchronousProgress(reports), _ct);
        var again = await hub.DownloadAsync(Repo, null, _ct);

        Assert.Equal(golden, await File.ReadAllBytesAsync(path, _ct));
        Assert.Equal(path, again);
        Assert.Equal(1, _server.Hits(ResolvePath));
        Assert.StartsWith(Sha256(golden), await File.ReadAllTextAsync(path + ".sha256", _ct));
        Assert.Equal(new HubDownloadProgress(golden.Length, golden.Length), reports[^1]);
    }

    [Fact]
    public async Task HF_ENDPOINT_points_the_client_at_a_mirror()
    {
        var golden = HubGoldenWeights.Dla46C();
        _server.Serve(ResolvePath, golden, LinkedETag(Sha256(golden)));
        var previous = Environment.GetEnvironmentVariable(HubWeightsOptions.EndpointVariable);
        HuggingFaceHub hub;
        try
        {
            Environment.SetEnvironmentVariable(HubWeightsOptions.EndpointVariable, _server.Endpoint + "/");
            hub = new HuggingFaceHub(new HubWeightsOptions { CacheDirectory = _cache.FullName });
        }
        finally
        {
            Environment.SetEnvironmentVariable(HubWeightsOptions.EndpointVariable, previous);
        }
        using (hub)
        {
            var path = await hub.DownloadAsync(Repo, "main", _ct);

            Assert.Equal(golden, await File.ReadAllBytesAsync(path, _ct));
            Assert.Equal(1, _server.Hits(ResolvePath));
        }
    }

    [Fact]
    public async Task The_checksum_announced_on_the_redirect_to_the_CDN_is_the_one_checked()
    {
        var golden = HubGoldenWeights.Dla46C();
        _server.Redirect(ResolvePath, "/cdn/blob", LinkedETag(Sha256(golden)));
        _server.Serve("/cdn/blob", golden);
        using var hub = Client();

        var path = await hub.DownloadAsync(Repo, null, _ct);

        Assert.Equal(golden, await File.ReadAllBytesAsync(path, _ct));
        Assert.Equal(1, _server.Hits("/cdn/blob"));
    }

    [Fact]
    public async Task A_wrong_checksum_is_a_typed_error_and_leaves_nothing_in_the_cache()
    {
        var golden = HubGoldenWeights.Dla46C();
        _server.Serve(ResolvePath, golden, LinkedETag(new string('a', 64)));
        using var hub = Client();

        var error = await Assert.ThrowsAsync<WeightsDownloadException>(() => hub.DownloadAsync(Repo, null, _ct));

        Assert.Equal(WeightsDownloadFailure.ChecksumMismatch, error.Failure);
        Assert.Contains(new string('a', 64), error.Message);
        Assert.Empty(_cache.EnumerateFiles("*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_corrupted_cache_file_is_downloaded_again()
    {
        var golden = HubGoldenWeights.Dla46C();
        _server.Serve(ResolvePath, golden, LinkedETag(Sha256(golden)));
        using var hub = Client();
        var path = await hub.DownloadAsync(Repo, null, _ct);
        await File.WriteAllBytesAsync(path, golden.AsSpan(0, 1000).ToArray(), _ct);

        var again = await hub.DownloadAsync(Repo, null, _ct);

        Assert.Equal(golden, await File.ReadAllBytesAsync(again, _ct));
        Assert.Equal(2, _server.Hits(ResolvePath));
    }

    [Fact]
    public async Task A_missing_repository_is_a_typed_error_naming_it()
    {
        using var hub = Client();

        var error = await Assert.ThrowsAsync<WeightsDownloadException>(() => hub.DownloadAsync("timm/no_such_model.in1k", null, _ct));

        Assert.Equal(WeightsDownloadFailure.NotFound, error.Failure);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("timm/no_such_model.in1k", error.Message);
    }

    [Fact]
    public async Task A_missing_file_in_an_existing_repository_says_so()
    {
        _server.Fail(ResolvePath, 404, "EntryNotFound");
        using var hub = Client();

        var error = await Assert.ThrowsAsync<WeightsDownloadException>(() => hub.DownloadAsync(Repo, null, _ct));

        Assert.Equal(WeightsDownloadFailure.NotFound, error.Failure);
        Assert.Contains("has no file 'model.safetensors'", error.Message);
    }

    [Fact]
    public async Task A_private_repository_asks_for_a_token()
    {
        _server.Fail(ResolvePath, 401, "RepoNotFound");
        using var hub = Client();

        var error = await Assert.ThrowsAsync<WeightsDownloadException>(() => hub.DownloadAsync(Repo, null, _ct));

        Assert.Equal(WeightsDownloadFailure.AccessDenied, error.Failure);
        Assert.Contains(HubWeightsOptions.TokenVariable, error.Message);
    }

    [Fact]
    public async Task An_unreachable_endpoint_says_how_to_work_offline()
    {
        var closed = new Uri($"http://127.0.0.1:{HubTestServer.FreePort()}");
        using var hub = new HuggingFaceHub(new HubWeightsOptions { Endpoint = closed.ToString(), CacheDirectory = _cache.FullName });

        var error = await Assert.ThrowsAsync<WeightsDownloadException>(() => hub.DownloadAsync(Repo, null, _ct));

        Assert.Equal(WeightsDownloadFailure.Unreachable, error.Failure);
        Assert.StartsWith($"Cannot reach {closed.GetLeftPart(UriPartial.Authority)}", error.Message);
        Assert.Contains("set HF_ENDPOINT", error.Message);
        Assert.Contains("local path", error.Message);
    }

    [Fact]
    public async Task A_stalled_server_times_out()
    {
        var weights = TinySafeTensors();
        _server.Serve(ResolvePath, weights, delay: TimeSpan.FromSeconds(3));
        using var hub = Client(o => o.ReadTimeout = TimeSpan.FromMilliseconds(200));

        var error = await Assert.ThrowsAsync<WeightsDownloadException>(() => hub.DownloadAsync(Repo, null, _ct));

        Assert.Equal(WeightsDownloadFailure.Timeout, error.Failure);
        Assert.Empty(_cache.EnumerateFiles("*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_file_that_is_not_safetensors_is_refused()
    {
        var html = Encoding.UTF8.GetBytes("<html>Sign in to continue</html>");
        _server.Serve(ResolvePath, html);
        using var hub = Client();

        var error = await Assert.ThrowsAsync<WeightsDownloadException>(() => hub.DownloadAsync(Repo, null, _ct));

        Assert.Equal(WeightsDownloadFailure.InvalidFile, error.Failure);
        Assert.Empty(_cache.EnumerateFiles("*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task The_token_is_sent_as_a_bearer_token()
    {
        _server.Serve(ResolvePath, TinySafeTensors());
        using var hub = Client(o => o.Token = "hf_test");

        await hub.DownloadAsync(Repo, null, _ct);

        Assert.Equal(["Bearer hf_test"], _server.Authorizations);
    }

    private HuggingFaceHub Client(Action<HubWeightsOptions>? configure = null)
    {
        var options = new HubWeightsOptions { Endpoint = _server.Endpoint.ToString(), CacheDirectory = _cache.FullName };
        configure?.Invoke(options);
        return new HuggingFaceHub(options);
    }

    private static Dictionary<string, string> LinkedETag(string value) => new() { ["X-Linked-ETag"] = value };

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    // One F32 scalar-vector tensor: the smallest well-formed safetensors file.
    private static byte[] TinySafeTensors()
    {
        var header = Encoding.UTF8.GetBytes("""{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""");
        return [.. BitConverter.GetBytes((long)header.Length), .. header, .. BitConverter.GetBytes(1f)];
    }

    // Progress<T> posts to the thread pool; the test needs every report before it asserts.
    private sealed class SynchronousProgress(List<HubDownloadProgress> reports) : IProgress<HubDownloadProgress>
    {
        public void Report(HubDownloadProgress value) => reports.Add(value);
    }
}
