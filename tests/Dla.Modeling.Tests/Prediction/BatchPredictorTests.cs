using System.Buffers;
using System.Collections.Concurrent;
using Dla.Modeling.Images;
using Dla.Modeling.Inference;
using Dla.Modeling.Models;
using Dla.Modeling.Prediction;
using Dla.Modeling.Weights;
using Dla.Testing;

namespace Dla.Modeling.Tests.Prediction;

/// <summary>
/// <see cref="BatchPredictor"/>'s two read paths in one stream: inline reads (local files) run on the decode threads
/// beside decoding, other reads on the thread pool ahead of it; both give the same predictions, in input order, and a
/// failed read fails its image only.
/// </summary>
public sealed class BatchPredictorTests : IDisposable
{
    private const string Tiny = """{"levels": [1,1,1,2,2,1], "channels": [8,16,16,32,64,128], "block": "basic"}""";
    private readonly DirectoryInfo _cache = Directory.CreateTempSubdirectory("dla-predictor-tests-");
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public void Dispose() => _cache.Delete(recursive: true);

    [Fact]
    public async Task Inline_and_pool_reads_mix_in_a_batch_and_give_the_same_predictions_in_input_order()
    {
        using var session = await OpenTinyAsync();
        using var decoders = new DecodeThreads(2);
        var predictor = new BatchPredictor(session, new ImagePreprocessor(session.Description.Preprocess),
            new PredictorOptions(BatchSize: 5, TopK: 3, IncludeEmbeddings: true, Decoders: decoders));
        var photos = Enumerable.Range(0, 6).Select(Photo).ToList();
        var readOn = new ConcurrentDictionary<string, string?>();
        // Each photograph twice, interleaved, so every batch holds both kinds of source.
        var sources = photos.SelectMany((photo, i) => new[]
        {
            ImageSource.Inline($"inline-{i}", () =>
            {
                readOn[$"inline-{i}"] = Thread.CurrentThread.Name;
                return new Owned(photo);
            }),
            new ImageSource($"pool-{i}", async ct =>
            {
                await Task.Yield();
                readOn[$"pool-{i}"] = Thread.CurrentThread.Name;
                return new Owned(photo);
            }),
        }).ToList();

        var results = await predictor.PredictAsync(sources, _ct).ToListAsync(_ct);

        Assert.Equal(sources.Select(s => s.Id), results.Select(r => r.Id));
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.Message));
        Assert.All(readOn.Where(read => read.Key.StartsWith("inline-", StringComparison.Ordinal)), read => Assert.StartsWith("dla-decode-", read.Value));
        Assert.All(readOn.Where(read => read.Key.StartsWith("pool-", StringComparison.Ordinal)), read => Assert.False(read.Value?.StartsWith("dla-decode-", StringComparison.Ordinal)));
        Assert.Equal(12, readOn.Count);
        var byId = results.ToDictionary(r => r.Id);
        for (var i = 0; i < photos.Count; i++)
        {
            var (inline, pool) = (byId[$"inline-{i}"], byId[$"pool-{i}"]);
            Assert.Equal(pool.TopK!.Select(c => c.Index), inline.TopK!.Select(c => c.Index));
            // The two copies may sit in batches of different sizes, so the model's sums may round differently.
            Assert.All(inline.Embedding!.Zip(pool.Embedding!), pair => Assert.Equal(pair.First, pair.Second, 1e-4f));
        }
        Assert.NotEqual(byId["inline-0"].Embedding, byId["inline-1"].Embedding);
    }

    [Fact]
    public async Task A_failed_read_or_decode_fails_its_image_only_whichever_path_read_it()
    {
        using var session = await OpenTinyAsync();
        using var decoders = new DecodeThreads(2);
        var predictor = new BatchPredictor(session, new ImagePreprocessor(session.Description.Preprocess),
            new PredictorOptions(BatchSize: 4, TopK: 3, Decoders: decoders));
        var sources = new[]
        {
            ImageSource.Inline("good inline", () => new Owned(Photo(1))),
            ImageSource.Inline("gone inline", () => throw new FileNotFoundException("gone inline.jpg is gone")),
            new ImageSource("gone pool", _ => Task.FromException<IMemoryOwner<byte>>(new IOException("the disk went away"))),
            ImageSource.Inline("not an image", () => new Owned("not an image at all"u8.ToArray())),
            new ImageSource("good pool", _ => Task.FromResult<IMemoryOwner<byte>>(new Owned(Photo(2)))),
        };

        var results = (await predictor.PredictAsync(sources, _ct).ToListAsync(_ct)).ToDictionary(r => r.Id);

        Assert.True(results["good inline"].Succeeded);
        Assert.True(results["good pool"].Succeeded);
        Assert.Equal(new ImageFailure("read_failed", "gone inline.jpg is gone"), results["gone inline"].Error);
        Assert.Equal(new ImageFailure("read_failed", "the disk went away"), results["gone pool"].Error);
        Assert.Equal("unreadable", results["not an image"].Error?.Kind);
    }

    /// <summary>A 64×48 RGB photograph of seeded noise.</summary>
    private static byte[] Photo(int seed)
    {
        var rows = new byte[64 * 48 * 3];
        new Random(seed).NextBytes(rows);
        return TestPng.Encode(64, 48, 8, TestPng.Rgb, rows);
    }

    private async Task<DlaSession> OpenTinyAsync()
    {
        using var hub = new HuggingFaceHub(new HubWeightsOptions { CacheDirectory = _cache.FullName });
        return DlaSession.Open(await new ModelRepository(hub).ResolveAsync(new ModelRequest(Tiny, "random", Seed: 1, NumClasses: 10), _ct));
    }

    /// <summary>Bytes handed to the pipeline as a source would hand over a rented buffer.</summary>
    private sealed class Owned(byte[] bytes) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory => bytes;

        public void Dispose()
        {
        }
    }
}
