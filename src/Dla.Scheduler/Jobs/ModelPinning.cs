using System.Reflection;
using System.Security.Cryptography;
using Dla.Datasets;
using Dla.Datasets.ModelFiles;
using Dla.Modeling.Weights;

namespace Dla.Scheduler.Jobs;

/// <summary>
/// Pins a job to the content of its model file at submission: the SHA-256 of the weights file, or of the ONNX
/// file when the model is one, read from blob storage or from a local file the request was allowed to name
/// (<see cref="ModelReferenceCheck"/> ran first). Workers verify it before every batch (weights_changed).
/// Hub weights are verified against the hub's own checksum when downloaded and pinned by their revision;
/// random and built-in references have no file.
/// </summary>
public sealed class ModelPinning(ModelBlobStore blobs)
{
    /// <summary>The Dla version that accepts jobs, with the commit it was built from.</summary>
    public static string Version { get; } =
        typeof(ModelPinning).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>
    /// The pin of <paramref name="request"/>'s model file (null when it names none) and, for a safetensors
    /// checkpoint, its classifier's size from the header (for the labels check).
    /// </summary>
    /// <exception cref="JobValidationException">The file cannot be read (no account, no such blob, too large, not safetensors).</exception>
    public async Task<(string? Sha256, int? Classes)> PinAsync(JobRequest request, CancellationToken cancellationToken)
    {
        var (field, reference) = request.Model!.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? ("model", request.Model) : ("weights", request.Weights);
        if (reference is null || string.Equals(reference, "random", StringComparison.OrdinalIgnoreCase) || HubWeightsReference.IsHubReference(reference))
        {
            return (null, null);
        }
        int? classes = null;
        async Task InspectAsync(string path)
        {
            if (field == "weights")
            {
                classes = await CheckpointClasses.CountAsync(path, cancellationToken);
            }
        }
        try
        {
            if (!ModelBlobReference.IsBlob(reference))
            {
                await InspectAsync(reference);
                await using var file = File.OpenRead(reference);
                return (Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken)), classes);
            }
            var (sha, _) = await blobs.HashAsync(ModelBlobReference.Parse(reference), cancellationToken, InspectAsync);
            return (sha, classes);
        }
        catch (Exception ex) when (ex is DatasetAccessException or WeightsFormatException)
        {
            throw new JobValidationException(new Dictionary<string, string[]> { [field] = [ex.Message] });
        }
    }
}
