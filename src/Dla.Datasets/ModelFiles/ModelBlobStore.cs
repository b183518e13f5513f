using System.Collections.Concurrent;
using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Dla.Datasets.ModelFiles;

/// <summary>
/// Reads model files from blob storage by content: the scheduler hashes one at submission (the job is
/// pinned to that SHA-256), and a worker fetches it into a content-addressed cache, hashing while it
/// downloads. Each use asks the service for the blob's ETag first (one small request), so a blob replaced
/// after the pin is noticed at the next batch, and the bytes are downloaded again only when it changed.
/// </summary>
public sealed class ModelBlobStore(BlobServiceClient? blobs)
{
    /// <summary>Largest model file read (a dla169 checkpoint is about 200 MB).</summary>
    public const long MaxBytes = 4L << 30;

    // ETag → SHA-256 of the bytes this process downloaded under that ETag.
    private readonly ConcurrentDictionary<(string Blob, ETag ETag), string> _verified = new();

    /// <summary>
    /// The SHA-256 (lowercase hex) and size of the blob's content now; <paramref name="inspect"/>, when given, reads
    /// the downloaded copy (a temporary file, deleted afterwards) before it goes.
    /// </summary>
    /// <exception cref="DatasetAccessException">No blob account is configured, or there is no such blob.</exception>
    public async Task<(string Sha256, long Bytes)> HashAsync(ModelBlobReference reference, CancellationToken cancellationToken, Func<string, Task>? inspect = null)
    {
        var blob = Client(reference);
        var temporary = Path.GetTempFileName();
        try
        {
            var (sha, bytes, _) = await DownloadAsync(blob, reference, temporary, null, cancellationToken);
            if (inspect is not null)
            {
                await inspect(temporary);
            }
            return (sha, bytes);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The blob's content as UTF-8 text (a class-names file), at most <paramref name="maxBytes"/>.</summary>
    /// <exception cref="DatasetAccessException">No blob account, no such blob, or larger than <paramref name="maxBytes"/>.</exception>
    public async Task<string> ReadTextAsync(ModelBlobReference reference, long maxBytes, CancellationToken cancellationToken)
    {
        var blob = Client(reference);
        var properties = (await Call(reference, () => blob.GetPropertiesAsync(cancellationToken: cancellationToken))).Value;
        if (properties.ContentLength > maxBytes)
        {
            throw new DatasetAccessException($"'{reference}' is {properties.ContentLength} bytes, more than {maxBytes}.");
        }
        var content = (await Call(reference, () => blob.DownloadContentAsync(cancellationToken))).Value.Content;
        return content.ToString();
    }

    /// <summary>
    /// The local copy of the blob's current content, under <paramref name="cacheDirectory"/>/blobs/sha256, and
    /// its SHA-256: the caller compares it with the pin. Downloaded only when this process has not yet seen the
    /// blob's current ETag (or the cached file is gone).
    /// </summary>
    /// <exception cref="DatasetAccessException">No blob account is configured, or there is no such blob.</exception>
    public async Task<(string Path, string Sha256)> FetchAsync(ModelBlobReference reference, string cacheDirectory, CancellationToken cancellationToken)
    {
        var blob = Client(reference);
        var etag = (await Call(reference, () => blob.GetPropertiesAsync(cancellationToken: cancellationToken))).Value.ETag;
        var folder = Directory.CreateDirectory(Path.Combine(cacheDirectory, "blobs", "sha256")).FullName;
        if (_verified.TryGetValue((reference.ToString(), etag), out var known) && File.Exists(CachePath(folder, known, reference)))
        {
            return (CachePath(folder, known, reference), known);
        }
        var temporary = Path.Combine(folder, $"{Guid.NewGuid():N}.tmp");
        try
        {
            // Conditional on the ETag just read, so the hash is the hash of exactly that version.
            var (sha, _, downloaded) = await DownloadAsync(blob, reference, temporary, etag, cancellationToken);
            var path = CachePath(folder, sha, reference);
            File.Move(temporary, path, overwrite: true);
            _verified[(reference.ToString(), downloaded)] = sha;
            return (path, sha);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static string CachePath(string folder, string sha, ModelBlobReference reference) => Path.Combine(folder, sha + reference.Extension);

    private BlobClient Client(ModelBlobReference reference) =>
        (blobs ?? throw new DatasetAccessException($"'{reference}' is in blob storage but no blob account is configured (ConnectionStrings:BlobStorage)."))
            .GetBlobContainerClient(reference.Container).GetBlobClient(reference.Name);

    private static async Task<(string Sha256, long Bytes, ETag ETag)> DownloadAsync(BlobClient blob, ModelBlobReference reference, string target, ETag? ifMatch, CancellationToken cancellationToken)
    {
        var options = new BlobDownloadOptions { Conditions = ifMatch is { } etag ? new BlobRequestConditions { IfMatch = etag } : null };
        using var response = (await Call(reference, () => blob.DownloadStreamingAsync(options, cancellationToken))).Value;
        if (response.Details.ContentLength > MaxBytes)
        {
            throw new DatasetAccessException($"'{reference}' is {response.Details.ContentLength} bytes, more than a model file may be ({MaxBytes}).");
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long total = 0;
        await using (var file = File.Create(target))
        {
            int read;
            while ((read = await response.Content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                total += read;
            }
        }
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), total, response.Details.ETag);
    }

    private static async Task<T> Call<T>(ModelBlobReference reference, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new DatasetAccessException($"There is no blob '{reference}'.");
        }
    }
}
