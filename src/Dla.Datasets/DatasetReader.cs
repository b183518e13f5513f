using System.Buffers;
using Azure;
using Azure.Storage.Blobs;
using Dla.Common;
using Microsoft.Extensions.Options;

namespace Dla.Datasets;

/// <summary>
/// Reads one encoded image of a dataset, confined to the dataset and to the configured roots and
/// containers, and never more than <see cref="DatasetOptions.MaxImageBytes"/> into memory.
/// </summary>
/// <remarks>
/// A missing, oversized or refused image throws <see cref="DatasetReadException"/> (a per-image
/// error). Everything else, e.g. <see cref="RequestFailedException"/> for a 5xx or a timeout after
/// the blob client's own retries, or an <see cref="IOException"/> from the disk or network,
/// propagates unchanged so the caller's retry policy decides.
/// </remarks>
/// <param name="options">Allowed roots and containers, size limit.</param>
/// <param name="blobs">The blob account; null when none is configured (blob datasets then fail).</param>
public sealed class DatasetReader(IOptions<DatasetOptions> options, BlobServiceClient? blobs = null)
{
    private readonly DatasetOptions _options = options.Value;

    /// <summary>
    /// <see cref="DatasetOptions.AllowedRoots"/>, canonical, resolved once: they are fixed for the process. A root that is
    /// a link retargeted later keeps its first target, and datasets reached through the new one are refused.
    /// </summary>
    private readonly Lazy<string[]> _allowedRoots = new(() => options.Value.AllowedRoots.Select(RealPath.Resolve).ToArray());

    /// <summary>The bytes of <paramref name="relativePath"/> under <paramref name="dataset"/>.</summary>
    /// <param name="dataset">A local folder or a blob container with prefix.</param>
    /// <param name="relativePath">A path below the folder (either separator), or a blob name below the prefix.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="DatasetAccessException">The path leaves the dataset, or the dataset is not allowed.</exception>
    /// <exception cref="DatasetReadException">The image does not exist (<c>read_failed</c>) or is too large (<c>too_large</c>).</exception>
    public async Task<byte[]> ReadAsync(DatasetLocation dataset, string relativePath, CancellationToken cancellationToken)
    {
        using var bytes = await ReadRentedAsync(dataset, relativePath, cancellationToken);
        return bytes.Memory.ToArray();
    }

    /// <summary>
    /// As <see cref="ReadAsync"/>, into an array rented from the shared pool, which disposing the result gives back: the
    /// worker's path, where every image is decoded once and then dropped.
    /// </summary>
    public Task<IMemoryOwner<byte>> ReadRentedAsync(DatasetLocation dataset, string relativePath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(relativePath);
        var segments = relativePath.Split('/', '\\');
        if (relativePath.Length == 0 || relativePath.Contains('\0', StringComparison.Ordinal) || Path.IsPathRooted(relativePath)
            || relativePath[0] is '/' or '\\' || segments.Any(s => s == ".."))
        {
            throw new DatasetAccessException($"Refused '{relativePath}': image paths must be relative and stay inside the dataset.");
        }
        return dataset.Kind == DatasetKind.LocalFolder
            ? Task.FromResult<IMemoryOwner<byte>>(ReadFile(dataset.Root, relativePath, cancellationToken))
            : ReadBlobAsync(dataset.Root, dataset.Prefix + relativePath, cancellationToken);
    }

    private RentedBytes ReadFile(string folder, string relativePath, CancellationToken cancellationToken)
    {
        var root = RealPath.Resolve(folder);
        if (!_allowedRoots.Value.Any(allowed => RealPath.IsUnder(root, allowed)))
        {
            throw new DatasetAccessException(_options.AllowedRoots.Count == 0
                ? $"Refused dataset '{folder}': no local folder may be read (Datasets:AllowedRoots is empty)."
                : $"Refused dataset '{folder}': it is not under any of Datasets:AllowedRoots.");
        }
        // Below the canonical root, only the image's own path needs resolving: ~4 link checks per image instead of ~10.
        var path = RealPath.ResolveBelow(root, relativePath.Replace('\\', '/'));
        if (!RealPath.IsUnder(path, root) || path == root)
        {
            throw new DatasetAccessException($"Refused '{relativePath}': it resolves outside the dataset '{folder}'.");
        }
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // On the calling thread, as RentedBytes.ReadFile says why; a blob's read below stays asynchronous (it waits on the network).
            return RentedBytes.ReadFile(path, length => RefuseOverLimit(relativePath, length));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new DatasetReadException(DatasetReadException.ReadFailed, $"Cannot read '{relativePath}': {ex.Message}", ex);
        }
    }

    private async Task<IMemoryOwner<byte>> ReadBlobAsync(string container, string blobName, CancellationToken cancellationToken)
    {
        if (_options.AllowedContainers.Count > 0 && !_options.AllowedContainers.Contains(container, StringComparer.Ordinal))
        {
            throw new DatasetAccessException($"Refused container '{container}': it is not one of Datasets:AllowedContainers.");
        }
        if (blobs is null)
        {
            throw new InvalidOperationException("A blob dataset needs ConnectionStrings:BlobStorage.");
        }
        var blob = blobs.GetBlobContainerClient(container).GetBlobClient(blobName);
        try
        {
            // The length is known from the headers, so an oversized blob is refused before its body is read.
            using var download = (await blob.DownloadStreamingAsync(cancellationToken: cancellationToken)).Value;
            await using var content = download.Content;
            return await ReadCappedAsync(content, download.Details.ContentLength, blobName, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new DatasetReadException(DatasetReadException.ReadFailed, $"Blob '{container}/{blobName}' does not exist ({ex.ErrorCode}).", ex);
        }
    }

    /// <summary>Reads at most <see cref="DatasetOptions.MaxImageBytes"/>, whatever the announced length says.</summary>
    private async Task<IMemoryOwner<byte>> ReadCappedAsync(Stream stream, long announcedLength, string name, CancellationToken cancellationToken)
    {
        RefuseOverLimit(name, announcedLength);
        return await RentedBytes.ReadAsync(stream, announcedLength, length => RefuseOverLimit(name, length), cancellationToken);
    }

    /// <summary>Throws <see cref="DatasetReadException.TooLarge"/> when <paramref name="length"/> is over <see cref="DatasetOptions.MaxImageBytes"/>.</summary>
    private void RefuseOverLimit(string name, long length)
    {
        var max = _options.MaxImageBytes;
        if (length > max)
        {
            throw new DatasetReadException(DatasetReadException.TooLarge, $"'{name}' is {length} bytes or more, over the limit of {max} bytes (Datasets:MaxImageBytes).");
        }
    }
}
