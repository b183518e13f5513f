using System.Text;
using Azure.Storage.Blobs;
using Dla.Integration.Tests.Hosting;
using Dla.Modeling.Images;
using Dla.Modeling.Inference;
using Dla.Modeling.Models;
using Dla.Modeling.Prediction;
using Dla.Modeling.Weights;
using Dla.Testing;

namespace Dla.Integration.Tests.Reliability;

/// <summary>
/// The scenarios' dataset: 500 photographs of 320×240 (<c>dla dataset sample</c> crops of the golden
/// photographs), 6 unusual but valid images (CMYK JPEG, 16-bit, palette, grayscale, gray+alpha and
/// RGBA PNG) and 27 bad files (about 5 %: empty, text, random bytes, truncated, a PNG header without
/// pixel data, a 40000×40000 decompression bomb, one file over <see cref="MaxImageBytes"/>), with
/// names that have spaces and unicode, in one blob container under <see cref="Prefix"/>; and what
/// <c>dla predict</c> gives for each file, the reference every job's results must equal.
/// </summary>
internal sealed class FaultDataset
{
    public const string Prefix = "set/";

    public const string Model = "dla46_c";

    /// <summary>The byte limit the scenarios' applications get (<c>Datasets:MaxImageBytes</c>).</summary>
    public const long MaxImageBytes = 2_000_000;

    private FaultDataset(BlobContainerClient container, string weights, Dictionary<string, PredictionResult> expected)
    {
        Container = container;
        Weights = weights;
        Expected = expected;
    }

    /// <summary>The container holding the dataset.</summary>
    public BlobContainerClient Container { get; }

    /// <summary>The dataset as a job names it.</summary>
    public string Location => $"azure://{Container.Name}/{Prefix}";

    /// <summary>dla46_c's golden weights.</summary>
    public string Weights { get; }

    /// <summary>The reference outcome of every file, by its path relative to the prefix.</summary>
    public IReadOnlyDictionary<string, PredictionResult> Expected { get; }

    public int Count => Expected.Count;

    public int BadCount => Expected.Values.Count(e => !e.Succeeded);

    /// <summary>Builds the files, uploads them to a new container of <paramref name="blobs"/> and predicts each locally.</summary>
    public static async Task<FaultDataset> CreateAsync(string golden, BlobServiceClient blobs, string workDirectory, CancellationToken ct)
    {
        var files = await BuildFilesAsync(golden, workDirectory, ct);
        var container = blobs.GetBlobContainerClient($"reliability-{Guid.NewGuid():N}"[..30]);
        await container.CreateIfNotExistsAsync(cancellationToken: ct);
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (file, token) => await container.UploadBlobAsync(Prefix + file.Key, BinaryData.FromBytes(file.Value), token));
        var weights = Path.Combine(golden, "models", Model, "weights.safetensors");
        return new FaultDataset(container, weights, await PredictAsync(files, weights, workDirectory, ct));
    }

    private static async Task<Dictionary<string, byte[]>> BuildFilesAsync(string golden, string workDirectory, CancellationToken ct)
    {
        var photos = Path.Combine(workDirectory, "photos");
        await using (var sample = AppProcess.Start(Executables.Cli, new Dictionary<string, string?>(),
                         "dataset", "sample", photos, "--count", "500", "--size", "320x240", "--sources", Path.Combine(golden, "images", "files")))
        {
            await sample.WaitForExitAsync(ct);
            if (sample.ExitCode != 0)
            {
                throw new InvalidOperationException($"dla dataset sample failed:\n{sample.Log}");
            }
        }
        var files = Directory.GetFiles(photos).ToDictionary(path => "photos/" + Path.GetFileName(path), File.ReadAllBytes);
        var jpeg = files.Values.First();
        var random = new Random(7);
        var bad = new Func<int, byte[]>[]
        {
            _ => [],                                                            // empty
            i => Encoding.UTF8.GetBytes($"not an image {i}\n"),                 // text named .jpg
            i => RandomBytes(random, 3000 + i),                                 // random bytes
            _ => jpeg[..(jpeg.Length / 2)],                                     // truncated JPEG
            _ => TestPng.Assemble(TestPng.Header(64, 64, 8, TestPng.Rgb), []),  // PNG header, no pixel data
            _ => TestPng.Assemble(TestPng.Header(40_000, 40_000, 8, TestPng.Rgb), TestPng.Compress(new byte[64])), // decompression bomb
        };
        for (var i = 0; i < 26; i++)
        {
            var kind = i % bad.Length;
            var extension = kind is 4 or 5 ? "png" : "jpg";
            var name = i % 4 == 0 ? $"bad/été {i:D2} ü.{extension}" : $"bad/broken file {i:D2}.{extension}";
            files[name] = bad[kind](i);
        }
        // Past the byte limit: a valid photograph with 2 MB of padding after its end marker.
        files["bad/too large.jpg"] = [.. jpeg, .. new byte[MaxImageBytes]];
        foreach (var (name, bytes) in UnusualButValid())
        {
            files["unusual/" + name] = bytes;
        }
        return files;
    }

    /// <summary>Formats that must decode: each becomes a result, not an error.</summary>
    private static IEnumerable<(string Name, byte[] Bytes)> UnusualButValid()
    {
        const int width = 48, height = 32;
        byte[] Rows(int bytesPerPixel) => Enumerable.Range(0, width * height * bytesPerPixel).Select(i => (byte)(i * 7 % 251)).ToArray();
        yield return ("cmyk.jpg", TestCmykJpeg.Encode([30, 120, 200, 10]));
        yield return ("rgb 16-bit.png", TestPng.Encode(width, height, 16, TestPng.Rgb, Rows(6)));
        var palette = Enumerable.Range(0, 4 * 3).Select(i => (byte)(i * 20)).ToArray();
        yield return ("palette.png", TestPng.Encode(width, height, 8, TestPng.Palette, Rows(1).Select(b => (byte)(b % 4)).ToArray(), ("PLTE", palette)));
        yield return ("gray.png", TestPng.Encode(width, height, 8, TestPng.Gray, Rows(1)));
        yield return ("gray alpha.png", TestPng.Encode(width, height, 8, TestPng.GrayAlpha, Rows(2)));
        yield return ("rgba ✓.png", TestPng.Encode(width, height, 8, TestPng.Rgba, Rows(4)));
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static async Task<Dictionary<string, PredictionResult>> PredictAsync(Dictionary<string, byte[]> files, string weights, string workDirectory, CancellationToken ct)
    {
        using var hub = new HuggingFaceHub(new HubWeightsOptions { CacheDirectory = Directory.CreateDirectory(Path.Combine(workDirectory, "model-cache")).FullName });
        using var session = DlaSession.Open(await new ModelRepository(hub).ResolveAsync(new ModelRequest(Model, weights), ct));
        // The same limits as the worker: its preprocessor gets the dataset's byte limit.
        var preprocessor = new ImagePreprocessor(session.Description.Preprocess, ImageDecodeOptions.Default with { MaxBytes = MaxImageBytes });
        var predictor = new BatchPredictor(session, preprocessor, new PredictorOptions(BatchSize: 8, TopK: 5, IncludeEmbeddings: true));
        var sources = files.Select(file => ImageSource.FromBytes(file.Key, file.Value));
        var results = await predictor.PredictAsync(sources, ct).ToListAsync(ct);
        return results.ToDictionary(r => r.Id, StringComparer.Ordinal);
    }
}
