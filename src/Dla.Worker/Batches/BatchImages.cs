using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using Dla.Contracts;
using Dla.Modeling.Prediction;
using Dla.Datasets;

namespace Dla.Worker.Batches;

/// <summary>
/// A batch's images as <see cref="ImageSource"/>s reading through <see cref="DatasetReader"/>.
/// <see cref="BatchPredictor"/> turns any <see cref="IOException"/> into a per-image
/// <c>read_failed</c>; this class keeps the reader's own kind (e.g. <c>too_large</c>) for those, and
/// turns every other I/O failure into <see cref="TransientImageReadException"/> so it fails the batch
/// (to be retried) instead of failing the image for good.
/// </summary>
internal sealed class BatchImages
{
    private readonly ConcurrentDictionary<string, ImageFailure> _readFailures = new();

    /// <param name="reader">Reads the images.</param>
    /// <param name="dataset">The batch's dataset.</param>
    /// <param name="images">The batch's images.</param>
    /// <param name="readFoldersOnDecodeThreads">
    /// Whether a local folder's images are read on the decode threads (<see cref="WorkerOptions.ReadFoldersOnDecodeThreads"/>).
    /// </param>
    public BatchImages(DatasetReader reader, DatasetLocation dataset, IReadOnlyList<ImageRef> images, bool readFoldersOnDecodeThreads) =>
        Sources = images.Select(image =>
        {
            var id = IdOf(image.ImageId);
            if (dataset.Kind == DatasetKind.LocalFolder && readFoldersOnDecodeThreads)
            {
                return ImageSource.Inline(id, () => Classified(image, () => reader.ReadFolderImage(dataset, image.Path)));
            }
            return new ImageSource(id, async ct =>
            {
                try
                {
                    return await reader.ReadRentedAsync(dataset, image.Path, ct);
                }
                catch (Exception ex)
                {
                    var thrown = Reclassified(image, ex);
                    if (ReferenceEquals(thrown, ex))
                        throw;
                    throw thrown;
                }
            });
        }).ToList();

    /// <summary>One source per image, its id the manifest image id.</summary>
    public IReadOnlyList<ImageSource> Sources { get; }

    /// <summary>The manifest image id of a prediction.</summary>
    public static long ImageIdOf(PredictionResult prediction) => long.Parse(prediction.Id, CultureInfo.InvariantCulture);

    /// <summary>The failure to store for a failed prediction: the reader's, when the read failed.</summary>
    public ImageFailure FailureOf(PredictionResult prediction) =>
        _readFailures.TryGetValue(prediction.Id, out var failure) ? failure : prediction.Error!;

    private IMemoryOwner<byte> Classified(ImageRef image, Func<IMemoryOwner<byte>> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex)
        {
            var thrown = Reclassified(image, ex);
            if (ReferenceEquals(thrown, ex))
                throw;
            throw thrown;
        }
    }

    /// <summary>
    /// What a failed read throws: an <see cref="IOException"/> (a per-image <c>read_failed</c>) for the reader's per-image
    /// errors, whose own kind is kept for <see cref="FailureOf"/>; a <see cref="TransientImageReadException"/> for other
    /// I/O errors; anything else as it is.
    /// </summary>
    private Exception Reclassified(ImageRef image, Exception ex)
    {
        switch (ex)
        {
            case DatasetReadException read:
                _readFailures[IdOf(image.ImageId)] = new ImageFailure(read.Kind, read.Message);
                return new IOException(read.Message, read);
            case IOException io:
                return new TransientImageReadException($"Reading '{image.Path}' failed: {io.Message}", io);
            default:
                return ex;
        }
    }

    private static string IdOf(long imageId) => imageId.ToString(CultureInfo.InvariantCulture);
}

/// <summary>An image read failed in a way a retry may fix (storage unavailable, network error): the batch fails and is retried.</summary>
public sealed class TransientImageReadException(string message, Exception innerException) : Exception(message, innerException);
