using System.Collections.Concurrent;
using System.Security.Cryptography;
using Dla.Contracts;
using Dla.Datasets.ModelFiles;
using Dla.Modeling.Weights;

namespace Dla.Worker.Inference;

/// <summary>
/// Turns a job's model and weights references into local files whose content is the job's pin
/// (<see cref="ModelSpec.WeightsSha256"/>), before every batch. A blob is fetched into the content-addressed
/// cache (one ETag request per batch, a download only when the blob changed); a local file is hashed once per
/// size and modification time. Different content is a <see cref="WeightsChangedException"/>.
/// </summary>
public sealed class PinnedModelFiles(ModelBlobStore blobs, HuggingFaceHub hub)
{
    private readonly ConcurrentDictionary<(string Path, long Length, DateTime Modified), string> _localHashes = new();

    /// <summary>The model and weights to open for <paramref name="spec"/>: local paths in place of blob references.</summary>
    /// <exception cref="WeightsChangedException">The file's content is not the pinned one.</exception>
    public async Task<(string Model, string? Weights)> LocalizeAsync(ModelSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var model = await LocalizeAsync(spec.Model, spec.WeightsSha256, cancellationToken);
        var weights = spec.Weights is null ? null : await LocalizeAsync(spec.Weights, spec.WeightsSha256, cancellationToken);
        return (model, weights);
    }

    private async Task<string> LocalizeAsync(string reference, string? pin, CancellationToken cancellationToken)
    {
        if (ModelBlobReference.IsBlob(reference))
        {
            var (path, sha) = await blobs.FetchAsync(ModelBlobReference.Parse(reference), hub.CacheDirectory, cancellationToken);
            return pin is null || sha == pin ? path : throw new WeightsChangedException(reference, pin, sha);
        }
        var isFile = reference.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) || reference.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);
        if (pin is null || !isFile || !File.Exists(reference))
        {
            // Nothing pinned, or no file (a variant, hf:, random): resolved as before, errors included.
            return reference;
        }
        var info = new FileInfo(reference);
        var key = (info.FullName, info.Length, info.LastWriteTimeUtc);
        if (!_localHashes.TryGetValue(key, out var hash))
        {
            await using var file = info.OpenRead();
            hash = _localHashes[key] = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
        }
        return hash == pin ? reference : throw new WeightsChangedException(reference, pin, hash);
    }
}
