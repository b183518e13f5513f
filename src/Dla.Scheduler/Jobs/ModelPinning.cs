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

    /// <summary>The pin of <paramref name="request"/>'s model file, or null when it names none.</summary>
    /// <exception cref="JobValidationException">The blob cannot be read (no account, no such blob, too large).</exception>
    public async Task<string?> PinAsync(JobRequest request, CancellationToken cancellationToken)
    {
        var (field, reference) = request.Model!.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase) ? ("model", request.Model) : ("weights", request.Weights);
        if (reference is null || string.Equals(reference, "random", StringComparison.OrdinalIgnoreCase) || HubWeightsReference.IsHubReference(reference))
        {
            return null;
        }
        if (!ModelBlobReference.IsBlob(reference))
        {
            await using var file = File.OpenRead(reference);
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
        }
        try
        {
            return (await blobs.HashAsync(ModelBlobReference.Parse(reference), cancellationToken)).Sha256;
        }
        catch (DatasetAccessException ex)
        {
            throw new JobValidationException(new Dictionary<string, string[]> { [field] = [ex.Message] });
        }
    }
}
