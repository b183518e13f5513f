using System.Security.Cryptography;
using Dla.Modeling.Checking;
using Dla.Modeling.Inference;
using Dla.Modeling.Models;
using Dla.Modeling.Tests.Onnx;
using Dla.Modeling.Tests.Weights;
using Dla.Modeling.Weights;

namespace Dla.Modeling.Tests.Models;

public sealed class ModelRepositoryTests : IDisposable
{
    private readonly DirectoryInfo _cache = Directory.CreateTempSubdirectory("dla-models-tests-");
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public void Dispose() => _cache.Delete(recursive: true);

    [Fact]
    public async Task Hub_weights_for_a_variant_download_build_a_cached_graph_that_reproduces_timm()
    {
        using var server = HubTestServer.Start();
        var golden = HubGoldenWeights.Dla46C();
        var resolve = HubTestServer.ResolvePath("timm/dla46_c.in1k");
        server.Serve(resolve, golden, new Dictionary<string, string> { ["X-Linked-ETag"] = Convert.ToHexStringLower(SHA256.HashData(golden)) });
        using var hub = new HuggingFaceHub(new HubWeightsOptions { Endpoint = server.Endpoint.ToString(), CacheDirectory = _cache.FullName });
        var repository = new ModelRepository(hub);

        var path = await repository.ResolveAsync(new ModelRequest("dla46_c"), _ct);
        var written = File.GetLastWriteTimeUtc(path);
        var again = await repository.ResolveAsync(new ModelRequest("dla46_c"), _ct);

        Assert.Equal(path, again);
        Assert.Equal(written, File.GetLastWriteTimeUtc(again));
        Assert.Equal(1, server.Hits(resolve));
        using var session = DlaSession.Open(path);
        Assert.Equal("hf:timm/dla46_c.in1k@main", session.Description.WeightsSource);
        Assert.True(ReferenceCheck.Run(session, SafeTensorsFile.Open(GoldenModels.Io("dla46_c"))).Passed);
    }

    [Fact]
    public async Task Random_weights_are_marked_untrained_and_cached_per_seed_and_class_count()
    {
        using var hub = new HuggingFaceHub(new HubWeightsOptions { CacheDirectory = _cache.FullName });
        var repository = new ModelRepository(hub);
        const string tiny = """{"levels": [1,1,1,2,2,1], "channels": [8,16,16,32,64,128], "block": "basic"}""";

        var first = await repository.ResolveAsync(new ModelRequest(tiny, "random", Seed: 1, NumClasses: 10), _ct);
        var otherSeed = await repository.ResolveAsync(new ModelRequest(tiny, "random", Seed: 2, NumClasses: 10), _ct);
        var otherClasses = await repository.ResolveAsync(new ModelRequest(tiny, "random", Seed: 1, NumClasses: 11), _ct);

        Assert.Equal(3, new[] { first, otherSeed, otherClasses }.Distinct().Count());
        using var session = DlaSession.Open(first);
        Assert.True(session.Description.Untrained);
        Assert.Equal("random:1", session.Description.WeightsSource);
        Assert.Equal(10, session.Classes);
    }

    [Theory]
    [InlineData("resnet50", null, "Unknown model 'resnet50'")]
    [InlineData("""{"levels": [1,1,1,2,2,1], "channels": [8,16,16,32,64,128], "block": "basic"}""", null, "custom architecture needs weights")]
    [InlineData("dla34", "/nonexistent/weights.safetensors", "does not exist")]
    [InlineData("missing.onnx", null, "does not exist")]
    public async Task Unresolvable_requests_fail_with_a_clear_message(string model, string? weights, string expected)
    {
        using var hub = new HuggingFaceHub(new HubWeightsOptions { CacheDirectory = _cache.FullName });
        var error = await Assert.ThrowsAsync<ModelLoadException>(() => new ModelRepository(hub).ResolveAsync(new ModelRequest(model, weights), _ct));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
