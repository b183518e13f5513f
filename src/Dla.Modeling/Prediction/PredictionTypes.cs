using System.Buffers;
using Dla.Common;

namespace Dla.Modeling.Prediction;

/// <summary>An image to predict: an identifier (path, blob name) and how to read its encoded bytes.</summary>
/// <param name="Id">Identifier echoed in the result.</param>
/// <param name="ReadAsync">
/// Reads the encoded file; exceptions become a <c>read_failed</c> error for this image only. The pipeline disposes
/// what it returns once the image is decoded, so it may be a buffer rented from a pool.
/// </param>
public sealed record ImageSource(string Id, Func<CancellationToken, Task<IMemoryOwner<byte>>> ReadAsync)
{
    /// <summary>An image on the local file system, read into a pooled buffer on the calling thread (<see cref="RentedBytes.ReadFile"/> says why).</summary>
    public static ImageSource FromFile(string path) => new(path, ct =>
    {
        ct.ThrowIfCancellationRequested();
        return Task.FromResult<IMemoryOwner<byte>>(RentedBytes.ReadFile(path, _ => { }));
    });

    /// <summary>An image already in memory.</summary>
    public static ImageSource FromBytes(string id, byte[] encoded) => new(id, _ => Task.FromResult<IMemoryOwner<byte>>(new HeldBytes(encoded)));

    /// <summary>Bytes the caller keeps: disposing them does nothing.</summary>
    private sealed class HeldBytes(byte[] bytes) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory => bytes;

        public void Dispose()
        {
        }
    }
}

/// <summary>One class of a top-k list.</summary>
/// <param name="Index">Class index in the classifier output.</param>
/// <param name="Label">Class name (ImageNet-1k names for 1000-class models, <c>class_N</c> otherwise).</param>
/// <param name="Probability">Softmax probability in [0, 1].</param>
public sealed record ClassScore(int Index, string Label, float Probability);

/// <summary>Why one image has no prediction.</summary>
/// <param name="Kind">Stable snake_case kind: unreadable, truncated, unsupported_format, too_many_pixels, too_large, read_failed.</param>
/// <param name="Message">Human-readable detail.</param>
public sealed record ImageFailure(string Kind, string Message);

/// <summary>The outcome for one image: a prediction or an error, never both.</summary>
/// <param name="Id">The <see cref="ImageSource.Id"/>.</param>
/// <param name="TopK">Classes by descending probability; null on error.</param>
/// <param name="Embedding">Pooled features when requested and available; null otherwise.</param>
/// <param name="Error">The failure; null on success.</param>
public sealed record PredictionResult(string Id, IReadOnlyList<ClassScore>? TopK, float[]? Embedding, ImageFailure? Error)
{
    /// <summary>True when the image was processed.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>Batching and output settings of <see cref="BatchPredictor"/>.</summary>
/// <param name="BatchSize">Images per inference call.</param>
/// <param name="TopK">Classes reported per image (capped at the number of classes).</param>
/// <param name="IncludeEmbeddings">Whether results carry embeddings.</param>
/// <param name="Decoders">The threads that decode; null: <see cref="DecodeThreads.Shared"/>, one per core.</param>
/// <param name="BatchesAhead">Batches decoded ahead of the one being inferred, so the model never waits on decoding.</param>
/// <param name="Labels">Class names by index (a fine-tuned checkpoint's); null: ImageNet's for 1000 classes, else <c>class_N</c>.</param>
public sealed record PredictorOptions(int BatchSize = 16, int TopK = 5, bool IncludeEmbeddings = false, DecodeThreads? Decoders = null, int BatchesAhead = 2, IReadOnlyList<string>? Labels = null);
