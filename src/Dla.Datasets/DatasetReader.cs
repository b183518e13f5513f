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
    /// <remarks>A local folder's image is read as <see cref="ReadFolderImage"/> does, on the calling thread.</remarks>
    public Task<IMemoryOwner<byte>> ReadRentedAsync(DatasetLocation dataset, string relativePath, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return dataset.Kind == DatasetKind.LocalFolder
            ? Task.FromResult(ReadFolderImage(dataset, relativePath))
            : ReadBlobAsync(dataset.Root, dataset.Prefix + CheckedRelative(relativePath), cancellationToken);
    }

    /// <summary>
    /// As <see cref="ReadRentedAsync"/> for a local folder, with blocking reads on the calling thread: for the decode
    /// threads, which read and decode an image in one step (on Linux an asynchronous file read is the same blocking read,
    /// run on a thread-pool thread, and handing the bytes from one thread to the other cost decoding's cores more).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="dataset"/> is a blob container.</exception>
    public IMemoryOwner<byte> ReadFolderImage(DatasetLocation dataset, string relativePath)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.Kind != DatasetKind.LocalFolder)
        {
            throw new ArgumentException($"'{dataset}' is not a local folder: blobs are read with {nameof(ReadRentedAsync)}.", nameof(dataset));
        }
        var folder = dataset.Root;
        relativePath = CheckedRelative(relativePath);
        var root = RealPath.Resolve(folder);
        if (!_allowedRoots.Value.Any(allowed => RealPath.IsUnder(root, allowed)))
        {
            throw new DatasetAccessException(_options.AllowedRoots.Count == 0
                ? $"Refused dataset '{folder}': no local folder may be read (Datasets:AllowedRoots is empty)."
                : $"Refused dataset '{folder}': it is not under any of Datasets:AllowedRoots.");
        }
        var path = RealPath.ResolveBelow(root, relativePath.Replace('\\', '/'));
        if (!RealPath.IsUnder(path, root) || path == root)
        {
            throw new DatasetAccessException($"Refused '{relativePath}': it resolves outside the dataset '{folder}'.");
        }
        try
        {
            return RentedBytes.ReadFile(path, LimitFor(relativePath));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new DatasetReadException(DatasetReadException.ReadFailed, $"Cannot read '{relativePath}': {ex.Message}", ex);
        }
    }

    /// <summary><paramref name="relativePath"/>, once it is known to be relative and to stay inside the dataset.</summary>
    private static string CheckedRelative(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var segments = relativePath.Split('/', '\\');
        if (relativePath.Length == 0 || relativePath.Contains('\0', StringComparison.Ordinal) || Path.IsPathRooted(relativePath)
            || relativePath[0] is '/' or '\\' || segments.Any(s => s == ".."))
        {
            throw new DatasetAccessException($"Refused '{relativePath}': image paths must be relative and stay inside the dataset.");
        }
        return relativePath;
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
        var limit = LimitFor(name);
        limit(announcedLength);
        return await RentedBytes.ReadAsync(stream, announcedLength, limit, cancellationToken);
    }

    /// <summary>Refuses a length over <see cref="DatasetOptions.MaxImageBytes"/> for the image <paramref name="name"/>.</summary>
    private Action<long> LimitFor(string name)
    {
        var max = _options.MaxImageBytes;
        return length =>
        {
            if (length > max)
            {
                throw new DatasetReadException(DatasetReadException.TooLarge,
                    $"'{name}' is {length} bytes or more, over the limit of {max} bytes (Datasets:MaxImageBytes).");
            }
        };
    }
}
