using System.Buffers;
using Dla.Modeling.Images;
using Dla.Modeling.Inference;
using Dla.Modeling.Models;
using Dla.Modeling.Prediction;
using Dla.Modeling.Weights;
using Dla.Testing;

namespace Dla.Modeling.Tests.Prediction;

/// <summary>
/// <see cref="BatchPredictor"/> over several batches: results come out in input order whatever order the reads finish in,
/// each image's prediction does not depend on its batch, and a failed read or decode fails its image only.
/// </summary>
public sealed class BatchPredictorTests : IDisposable
{
    private const string Tiny = """{"levels": [1,1,1,2,2,1], "channels": [8,16,16,32,64,128], "block": "basic"}""";
    private readonly DirectoryInfo _cache = Directory.CreateTempSubdirectory("dla-predictor-tests-");
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public void Dispose() => _cache.Delete(recursive: true);

    [Fact]
    public async Task Results_keep_the_input_order_and_an_image_predicts_the_same_in_any_batch()
    {
        using var session = await OpenTinyAsync();
        using var decoders = new DecodeThreads(2);
        var predictor = new BatchPredictor(session, new ImagePreprocessor(session.Description.Preprocess),
            new PredictorOptions(BatchSize: 5, TopK: 3, IncludeEmbeddings: true, Decoders: decoders));
        var photos = Enumerable.Range(0, 6).Select(Photo).ToList();
        // Each photograph twice, the second copy in another batch (of 5) and read after a delay that reverses the reads' order.
        var sources = photos.Concat(photos).Select((photo, i) => new ImageSource($"image-{i}", async ct =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(5 * (12 - i)), ct);
            return new Owned(photo);
        })).ToList();

        var results = await predictor.PredictAsync(sources, _ct).ToListAsync(_ct);

        Assert.Equal(sources.Select(s => s.Id), results.Select(r => r.Id));
        Assert.All(results, r => Assert.True(r.Succeeded, r.Error?.Message));
        for (var i = 0; i < photos.Count; i++)
        {
            var (first, second) = (results[i], results[i + photos.Count]);
            Assert.Equal(first.TopK!.Select(c => c.Index), second.TopK!.Select(c => c.Index));
            // The two copies sit in batches of different sizes, so the model's sums may round differently.
            Assert.All(first.Embedding!.Zip(second.Embedding!), pair => Assert.Equal(pair.First, pair.Second, 1e-4f));
        }
        Assert.NotEqual(results[0].Embedding, results[1].Embedding);
    }

    [Fact]
    public async Task Batches_inferred_in_several_lanes_at_once_come_out_in_order_and_as_in_one()
    {
        using var oneLane = await OpenTinyAsync();
        // Beside the decoders: as many lanes as cores, up to MaxLanes (one on a 1-core machine, which still checks the order).
        using var lanes = await OpenTinyAsync(new InferenceOptions { SharesCoresWithDecoding = true });
        Assert.Equal(1, oneLane.Lanes);
        Assert.Equal(Math.Min(Environment.ProcessorCount, InferenceThreading.MaxLanes), lanes.Lanes);
        using var decoders = new DecodeThreads(2);
        var sources = Enumerable.Range(0, 40).Select(i => ImageSource.FromBytes($"image-{i}", Photo(i % 7))).ToList();
        var options = new PredictorOptions(BatchSize: 3, TopK: 3, IncludeEmbeddings: true, Decoders: decoders, BatchesAhead: 4);

        var expected = await new BatchPredictor(oneLane, new ImagePreprocessor(oneLane.Description.Preprocess), options).PredictAsync(sources, _ct).ToListAsync(_ct);
        var results = await new BatchPredictor(lanes, new ImagePreprocessor(lanes.Description.Preprocess), options).PredictAsync(sources, _ct).ToListAsync(_ct);

        Assert.Equal(sources.Select(s => s.Id), results.Select(r => r.Id));
        for (var i = 0; i < sources.Count; i++)
        {
            Assert.Equal(expected[i].TopK!.Select(c => c.Index), results[i].TopK!.Select(c => c.Index));
            // Another thread count may split an operator's sums differently.
            Assert.All(expected[i].Embedding!.Zip(results[i].Embedding!), pair => Assert.Equal(pair.First, pair.Second, 1e-4f));
        }
    }

    [Fact]
    public async Task Leaving_early_waits_for_the_inferences_in_flight()
    {
        using var session = await OpenTinyAsync(new InferenceOptions { SharesCoresWithDecoding = true });
        using var decoders = new DecodeThreads(2);
        var predictor = new BatchPredictor(session, new ImagePreprocessor(session.Description.Preprocess),
            new PredictorOptions(BatchSize: 2, TopK: 1, Decoders: decoders, BatchesAhead: 4));
        var sources = Enumerable.Range(0, 30).Select(i => ImageSource.FromBytes($"image-{i}", Photo(i))).ToList();

        var first = await predictor.PredictAsync(sources, _ct).Take(3).ToListAsync(_ct);

        Assert.Equal(["image-0", "image-1", "image-2"], first.Select(r => r.Id));
        // The session is still usable: no inference of the abandoned enumeration is left running on it.
        var again = await predictor.PredictAsync(sources.Take(4), _ct).ToListAsync(_ct);
        Assert.All(again, r => Assert.True(r.Succeeded, r.Error?.Message));
    }

    [Fact]
    public async Task A_failed_read_or_decode_fails_its_image_only()
    {
        using var session = await OpenTinyAsync();
        using var decoders = new DecodeThreads(2);
        var predictor = new BatchPredictor(session, new ImagePreprocessor(session.Description.Preprocess),
            new PredictorOptions(BatchSize: 4, TopK: 3, Decoders: decoders));
        var sources = new[]
        {
            ImageSource.FromBytes("good", Photo(1)),
            new ImageSource("gone", _ => Task.FromException<IMemoryOwner<byte>>(new FileNotFoundException("gone.jpg is gone"))),
            new ImageSource("disk", _ => Task.FromException<IMemoryOwner<byte>>(new IOException("the disk went away"))),
            ImageSource.FromBytes("not an image", "not an image at all"u8.ToArray()),
            ImageSource.FromBytes("good too", Photo(2)),
        };

        var results = (await predictor.PredictAsync(sources, _ct).ToListAsync(_ct)).ToDictionary(r => r.Id);

        Assert.True(results["good"].Succeeded);
        Assert.True(results["good too"].Succeeded);
        Assert.Equal(new ImageFailure("read_failed", "gone.jpg is gone"), results["gone"].Error);
        Assert.Equal(new ImageFailure("read_failed", "the disk went away"), results["disk"].Error);
        Assert.Equal("unreadable", results["not an image"].Error?.Kind);
    }

    /// <summary>A 64×48 RGB photograph of seeded noise.</summary>
    private static byte[] Photo(int seed)
    {
        var rows = new byte[64 * 48 * 3];
        new Random(seed).NextBytes(rows);
        return TestPng.Encode(64, 48, 8, TestPng.Rgb, rows);
    }

    private async Task<DlaSession> OpenTinyAsync(InferenceOptions? options = null)
    {
        using var hub = new HuggingFaceHub(new HubWeightsOptions { CacheDirectory = _cache.FullName });
        return DlaSession.Open(await new ModelRepository(hub).ResolveAsync(new ModelRequest(Tiny, "random", Seed: 1, NumClasses: 10), _ct), options);
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
