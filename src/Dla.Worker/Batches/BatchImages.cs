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

    public BatchImages(DatasetReader reader, DatasetLocation dataset, IReadOnlyList<ImageRef> images) =>
        Sources = images.Select(image => new ImageSource(IdOf(image.ImageId), async ct =>
        {
            try
            {
                return await reader.ReadRentedAsync(dataset, image.Path, ct);
            }
            catch (DatasetReadException ex)
            {
                _readFailures[IdOf(image.ImageId)] = new ImageFailure(ex.Kind, ex.Message);
                throw new IOException(ex.Message, ex);
            }
            catch (IOException ex)
            {
                throw new TransientImageReadException($"Reading '{image.Path}' failed: {ex.Message}", ex);
            }
        })).ToList();

    /// <summary>One source per image, its id the manifest image id.</summary>
    public IReadOnlyList<ImageSource> Sources { get; }

    /// <summary>The manifest image id of a prediction.</summary>
    public static long ImageIdOf(PredictionResult prediction) => long.Parse(prediction.Id, CultureInfo.InvariantCulture);

    /// <summary>The failure to store for a failed prediction: the reader's, when the read failed.</summary>
    public ImageFailure FailureOf(PredictionResult prediction) =>
        _readFailures.TryGetValue(prediction.Id, out var failure) ? failure : prediction.Error!;

    private static string IdOf(long imageId) => imageId.ToString(CultureInfo.InvariantCulture);
}

/// <summary>An image read failed in a way a retry may fix (storage unavailable, network error): the batch fails and is retried.</summary>
public sealed class TransientImageReadException(string message, Exception innerException) : Exception(message, innerException);
