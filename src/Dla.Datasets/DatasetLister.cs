using System.Runtime.CompilerServices;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;

namespace Dla.Datasets;

/// <summary>
/// Lists a dataset's images as paths relative to its root, streaming and in a deterministic order
/// (the planner resumes a listing by position after a crash): local folders depth-first with each
/// directory sorted ordinally, blob containers page by page in the service's lexicographic order.
/// Files are kept by extension (<see cref="DatasetOptions.Extensions"/>); sources outside the
/// configured roots and containers are refused with <see cref="DatasetAccessException"/>.
/// </summary>
/// <remarks>
/// A blob prefix names a virtual folder: <c>azure://photos/2024</c> lists blobs under
/// <c>2024/</c> and yields <c>a.jpg</c> for the blob <c>2024/a.jpg</c>; <see cref="BlobName"/>
/// turns a relative path back into the blob name.
/// </remarks>
public sealed class DatasetLister(IOptions<DatasetOptions> options, BlobServiceClient? blobs = null)
{
    /// <summary>Blobs asked for in the first request: a small page arrives sooner, so the first batch can be planned at once.</summary>
    private const int FirstBlobPageSize = 256;

    private readonly HashSet<string> _extensions = new(options.Value.Extensions.Select(e => e.ToLowerInvariant()), StringComparer.Ordinal);

    /// <summary>The blob name prefix of a blob dataset: its prefix as a folder (with a trailing slash), or empty.</summary>
    public static string BlobPrefix(DatasetLocation location) =>
        location.Prefix.Length == 0 || location.Prefix.EndsWith('/') ? location.Prefix : location.Prefix + "/";

    /// <summary>The blob name of an image listed as <paramref name="relativePath"/> in a blob dataset.</summary>
    public static string BlobName(DatasetLocation location, string relativePath) => BlobPrefix(location) + relativePath;

    /// <summary>Throws when <paramref name="location"/> may not be read under the configured limits.</summary>
    /// <exception cref="DatasetAccessException">The folder or container is not allowed, or no blob account is configured.</exception>
    public void EnsureAllowed(DatasetLocation location)
    {
        var limits = options.Value;
        if (location.Kind == DatasetKind.BlobContainer)
        {
            if (blobs is null)
            {
                throw new DatasetAccessException($"'{location}' is a blob dataset but no blob account is configured (ConnectionStrings:BlobStorage).");
            }
            if (limits.AllowedContainers.Count > 0 && !limits.AllowedContainers.Contains(location.Root, StringComparer.Ordinal))
            {
                throw new DatasetAccessException($"Container '{location.Root}' is not one of Datasets:AllowedContainers.");
            }
            return;
        }
        if (limits.AllowedRoots.Count == 0)
        {
            throw new DatasetAccessException($"Folder '{location.Root}' may not be read: no local folder is allowed (Datasets:AllowedRoots is empty).");
        }
        // Canonical paths on both sides, so neither '..' nor a symbolic link can lead outside a root.
        if (!AllowedRoots.Contains(limits.AllowedRoots, Path.GetFullPath(location.Root)))
        {
            throw new DatasetAccessException($"Folder '{location.Root}' is not under any of Datasets:AllowedRoots.");
        }
    }

    /// <summary>Streams the image paths of <paramref name="location"/>, relative to its root, in listing order.</summary>
    /// <exception cref="DatasetAccessException">The dataset may not be read.</exception>
    /// <exception cref="DirectoryNotFoundException">A local dataset folder does not exist.</exception>
    /// <exception cref="Azure.RequestFailedException">The blob service refused the listing (e.g. no such container).</exception>
    public IAsyncEnumerable<string> ListAsync(DatasetLocation location, CancellationToken cancellationToken)
    {
        EnsureAllowed(location);
        return location.Kind == DatasetKind.LocalFolder
            ? LocalFolderListing.List(location.Root, HasImageExtension, cancellationToken).ToAsyncEnumerable()
            : ListBlobsAsync(location, cancellationToken);
    }

    private async IAsyncEnumerable<string> ListBlobsAsync(DatasetLocation location, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var container = blobs!.GetBlobContainerClient(location.Root);
        var prefix = BlobPrefix(location);
        string? continuation = null;
        var pageSize = Math.Min(FirstBlobPageSize, options.Value.BlobListPageSize);
        do
        {
            // One page per request, so the first request can ask for a small page and the rest for full ones.
            var pages = container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix.Length == 0 ? null : prefix, cancellationToken)
                .AsPages(continuation, pageSize);
            continuation = null;
            await foreach (var page in pages)
            {
                foreach (var blob in page.Values)
                {
                    // Folder placeholders (hierarchical namespaces) end with a slash and are not images.
                    if (!blob.Name.EndsWith('/') && HasImageExtension(blob.Name))
                    {
                        yield return blob.Name[prefix.Length..];
                    }
                }
                continuation = page.ContinuationToken;
                break;
            }
            pageSize = options.Value.BlobListPageSize;
        }
        while (!string.IsNullOrEmpty(continuation));
    }

    private bool HasImageExtension(string name) => _extensions.Contains(Path.GetExtension(name).ToLowerInvariant());
}
