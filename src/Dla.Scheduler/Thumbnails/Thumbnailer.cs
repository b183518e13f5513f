using System.Security.Cryptography;
using System.Text;
using Dla.Datasets;
using Dla.Modeling.Images;
using Dla.Modeling.Prediction;
using Dla.Persistence.Database;
using Dla.Scheduler.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Dla.Scheduler.Thumbnails;

/// <summary>
/// Previews of a job's images. The image is found by job and manifest id, never by a path a client sends, and read
/// through <see cref="DatasetReader"/> under the same roots, containers and size limit as the workers read it; a
/// file that cannot be read or decoded gets a <see cref="Placeholder"/>. Thumbnails are cached in memory (bounded by
/// <see cref="ThumbnailOptions.CacheMegabytes"/>); a job's manifest never changes, so the entity tag follows from
/// (job, image, size) alone and a revalidation is answered without reading anything.
/// </summary>
public sealed partial class Thumbnailer(
    IDlaDbContextFactory databases,
    DatasetReader reader,
    IOptions<DatasetOptions> datasets,
    IOptions<ThumbnailOptions> options,
    ILogger<Thumbnailer> logger) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = options.Value.CacheMegabytes * 1024L * 1024 });

    /// <summary>The entity tag of a real thumbnail of (job, image, size); version 1 of the encoding.</summary>
    public static string ETagOf(Guid jobId, long imageId, int size) =>
        $"\"t1-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{jobId:N}/{imageId}/{size}")))[..24]}\"";

    /// <summary>The preview of image <paramref name="imageId"/> of job <paramref name="jobId"/>, at most <paramref name="size"/> pixels a side.</summary>
    /// <exception cref="JobNotFoundException">No such job.</exception>
    /// <exception cref="ImageNotFoundException">The job's manifest has no such image.</exception>
    public async Task<Thumbnail> GetAsync(Guid jobId, long imageId, int size, CancellationToken cancellationToken)
    {
        var key = (jobId, imageId, size);
        if (_cache.TryGetValue(key, out Thumbnail? cached) && cached is not null)
        {
            return cached;
        }
        string dataset, path;
        await using (var db = await databases.CreateAsync(cancellationToken))
        {
            dataset = await db.Jobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => j.Dataset).FirstOrDefaultAsync(cancellationToken)
                ?? throw new JobNotFoundException(jobId);
            path = await db.Images.AsNoTracking().Where(i => i.JobId == jobId && i.ImageId == imageId).Select(i => i.Path).FirstOrDefaultAsync(cancellationToken)
                ?? throw new ImageNotFoundException(jobId, $"#{imageId}");
        }
        var thumbnail = await RenderAsync(jobId, imageId, DatasetLocation.Parse(dataset), path, size, cancellationToken);
        if (!thumbnail.IsPlaceholder)
        {
            // A placeholder is not cached: a missing file may appear, a blob outage may end.
            _cache.Set(key, thumbnail, new MemoryCacheEntryOptions { Size = thumbnail.Content.Length + 256 });
        }
        return thumbnail;
    }

    private async Task<Thumbnail> RenderAsync(Guid jobId, long imageId, DatasetLocation dataset, string path, int size, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = await reader.ReadAsync(dataset, path, cancellationToken);
            var limits = ImageDecodeOptions.Default with { MaxBytes = datasets.Value.MaxImageBytes };
            return new Thumbnail(ImageThumbnail.CreateJpeg(bytes, size, limits), "image/jpeg", ETagOf(jobId, imageId, size), null);
        }
        catch (DatasetAccessException ex)
        {
            // The dataset was allowed at submission but the configuration changed since: say so, show nothing.
            LogRefused(jobId, ex.Message);
            return Placeholder.For("refused", size);
        }
        catch (DatasetReadException ex)
        {
            return Placeholder.For(ex.Kind, size);
        }
        catch (ImageDecodeException ex)
        {
            return Placeholder.For(ImageFailureKinds.Of(ex.Kind), size);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Thumbnail of job {JobId} refused: {Reason}")]
    private partial void LogRefused(Guid jobId, string reason);

    public void Dispose() => _cache.Dispose();
}
