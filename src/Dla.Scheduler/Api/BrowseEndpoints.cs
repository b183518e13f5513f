using Dla.Persistence.Database;
using Dla.Scheduler.Browsing;
using Dla.Scheduler.Jobs;
using Dla.Scheduler.Thumbnails;
using Microsoft.Net.Http.Headers;

namespace Dla.Scheduler.Api;

/// <summary>
/// The endpoints behind the console's pictures (any client may use them): the keyset-paged results grid, one
/// image's outcome, its thumbnail, and the job's errors by kind, batches by state and throughput over time.
/// </summary>
internal static class BrowseEndpoints
{
    /// <summary>The header that marks a placeholder thumbnail with the reason (an image error kind).</summary>
    public const string PlaceholderHeader = "Dla-Thumbnail-Placeholder";

    public static void Map(RouteGroupBuilder jobs)
    {
        jobs.MapGet("/{id}/results/browse", BrowseAsync)
            .WithSummary("Results a page at a time by keyset (order image|probability|probability_desc, after=<next>), filtered by top-1 label and probability");
        jobs.MapGet("/{id}/images/{imageId}", ImageAsync).WithSummary("One image of the job: path, top-k or error");
        jobs.MapGet("/{id}/images/{imageId}/thumbnail", ThumbnailAsync)
            .WithSummary("A JPEG preview (size 128|256|512), cached, with an ETag; a placeholder SVG with Dla-Thumbnail-Placeholder: <kind> for a bad file");
        jobs.MapGet("/{id}/errors", ErrorsAsync).WithSummary("Failed images counted by error kind, with example files");
        jobs.MapGet("/{id}/batches", BatchesAsync).WithSummary("Batches counted by state");
        jobs.MapGet("/{id}/throughput", ThroughputAsync).WithSummary("Images per second over the job's run, in buckets");
    }

    private static async Task<BrowsePage> BrowseAsync(string id, string? order, string? after, string? label, float? minProbability, float? maxProbability, int? limit,
        JobService jobs, IDlaDbContextFactory databases, CancellationToken cancellationToken)
    {
        var jobId = JobIds.Parse(id);
        var errors = new Dictionary<string, string[]>();
        ResultOrder parsedOrder = ResultOrder.Image;
        switch (order)
        {
            case null or "image": break;
            case "probability": parsedOrder = ResultOrder.Probability; break;
            case "probability_desc": parsedOrder = ResultOrder.ProbabilityDesc; break;
            default: errors["order"] = ["One of image, probability, probability_desc."]; break;
        }
        var cursor = after is null ? null : ResultCursor.TryParse(parsedOrder, after);
        if (after is not null && cursor is null)
        {
            errors["after"] = ["Not a cursor of this order: pass the 'next' of the previous page, with the same order."];
        }
        if (minProbability is < 0 or > 1 || maxProbability is < 0 or > 1)
        {
            errors[minProbability is < 0 or > 1 ? "minProbability" : "maxProbability"] = ["A probability from 0 to 1."];
        }
        if (limit is < 1 or > ResultBrowser.MaxLimit)
        {
            errors["limit"] = [$"Must be between 1 and {ResultBrowser.MaxLimit}."];
        }
        if (errors.Count > 0)
        {
            throw new JobValidationException(errors);
        }
        await jobs.GetAsync(jobId, cancellationToken);
        await using var db = await databases.CreateAsync(cancellationToken);
        var query = new ResultQuery(parsedOrder, cursor, string.IsNullOrEmpty(label) ? null : label, minProbability, maxProbability, limit ?? 60);
        return await ResultBrowser.ReadAsync(db, jobId, query, cancellationToken);
    }

    private static async Task<ImageDetail> ImageAsync(string id, long imageId, JobService jobs, IDlaDbContextFactory databases, CancellationToken cancellationToken)
    {
        var job = await jobs.GetAsync(JobIds.Parse(id), cancellationToken);
        await using var db = await databases.CreateAsync(cancellationToken);
        return await JobInsights.ImageAsync(db, job, imageId, cancellationToken);
    }

    private static async Task<IResult> ThumbnailAsync(string id, long imageId, int? size, HttpContext context, Thumbnailer thumbnails, CancellationToken cancellationToken)
    {
        var jobId = JobIds.Parse(id);
        var side = size ?? Thumbnail.DefaultSize;
        if (!Thumbnail.Sizes.Contains(side))
        {
            throw new JobValidationException(new Dictionary<string, string[]> { ["size"] = [$"One of {string.Join(", ", Thumbnail.Sizes)}."] });
        }
        var response = context.Response;
        // Tenant keys see different jobs: a shared cache must not answer for another caller.
        response.Headers.CacheControl = "private, max-age=3600";
        response.Headers.Vary = "Cookie, Authorization, X-Api-Key";
        var etag = Thumbnailer.ETagOf(jobId, imageId, side);
        if (context.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == etag)))
        {
            // The job and image exist and are the caller's: the tenant filter and this lookup ran first.
            await thumbnails.GetAsync(jobId, imageId, side, cancellationToken);
            response.Headers.ETag = etag;
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        var thumbnail = await thumbnails.GetAsync(jobId, imageId, side, cancellationToken);
        if (thumbnail.IsPlaceholder)
        {
            response.Headers[PlaceholderHeader] = thumbnail.Problem;
            response.Headers.CacheControl = "private, no-cache";
        }
        return TypedResults.File(thumbnail.Content, thumbnail.ContentType, entityTag: EntityTagHeaderValue.Parse(thumbnail.ETag));
    }

    private static async Task<IReadOnlyList<ErrorKindSummary>> ErrorsAsync(string id, JobService jobs, IDlaDbContextFactory databases, CancellationToken cancellationToken)
    {
        var jobId = JobIds.Parse(id);
        await jobs.GetAsync(jobId, cancellationToken);
        await using var db = await databases.CreateAsync(cancellationToken);
        return await JobInsights.ErrorsAsync(db, jobId, cancellationToken);
    }

    private static async Task<IReadOnlyDictionary<string, int>> BatchesAsync(string id, JobService jobs, IDlaDbContextFactory databases, CancellationToken cancellationToken)
    {
        var jobId = JobIds.Parse(id);
        await jobs.GetAsync(jobId, cancellationToken);
        await using var db = await databases.CreateAsync(cancellationToken);
        return await JobInsights.BatchesAsync(db, jobId, cancellationToken);
    }

    private static async Task<Throughput> ThroughputAsync(string id, JobService jobs, IDlaDbContextFactory databases, TimeProvider time, CancellationToken cancellationToken)
    {
        var job = await jobs.GetAsync(JobIds.Parse(id), cancellationToken);
        await using var db = await databases.CreateAsync(cancellationToken);
        return await JobInsights.ThroughputAsync(db, job, time.GetUtcNow(), cancellationToken);
    }
}
