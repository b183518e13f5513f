using Dla.Persistence.Database;
using Dla.Scheduler.Export;
using Dla.Scheduler.Jobs;
using Dla.Scheduler.Search;

namespace Dla.Scheduler.Api;

/// <summary>The outcome endpoints: paged results, streaming export, similarity search.</summary>
internal static class ResultEndpoints
{
    public static void Map(RouteGroupBuilder jobs)
    {
        jobs.MapGet("/{id}/results", ResultsAsync).WithSummary("Outcomes in manifest order: path, top-k or error");
        jobs.MapGet("/{id}/export", ExportAsync).WithSummary("All outcomes as parquet, csv or jsonl, streamed");
        jobs.MapPost("/{id}/search", SearchAsync).Accepts<SearchRequest>("application/json", "multipart/form-data")
            .WithSummary("k nearest images by cosine distance, to an image of the job or an uploaded one");
    }

    private static async Task<ResultPage> ResultsAsync(string id, int? page, int? pageSize, JobService jobs, IDlaDbContextFactory databases, CancellationToken cancellationToken)
    {
        var jobId = JobIds.Parse(id);
        var (p, size) = JobEndpoints.Paging(page, pageSize, 100);
        var job = await jobs.GetAsync(jobId, cancellationToken);
        await using var db = await databases.CreateAsync(cancellationToken);
        var rows = await ExportRows.ReadRangeAsync(db, jobId, (long)(p - 1) * size, size, withEmbeddings: false, cancellationToken);
        return new ResultPage(p, size, job.ListedImages, rows.Select(r => new ResultItem(r.ImageId, r.Path, r.TopK, r.Error)).ToList());
    }

    private static async Task<IResult> ExportAsync(string id, string? format, HttpResponse response, JobService jobs, IDlaDbContextFactory databases, CancellationToken cancellationToken)
    {
        var jobId = JobIds.Parse(id);
        var job = await jobs.GetAsync(jobId, cancellationToken);
        var settings = ExportSettings.For(job);
        IExportWriter writer;
        try
        {
            writer = ExportFormats.Create(format ?? "jsonl", settings);
        }
        catch (ArgumentException ex)
        {
            throw new JobValidationException(new Dictionary<string, string[]> { ["format"] = [ex.Message] });
        }
        // An inline architecture can be kilobytes of JSON: headers carry short values only (Parquet metadata has all).
        foreach (var (key, value) in settings.Provenance.Where(p => p.Value.Length is > 0 and <= 512))
        {
            // dla.weights_sha256 → Dla-Weights-Sha256: provenance for CSV and JSON Lines too. Header values must be ASCII.
            response.Headers["Dla-" + string.Join('-', key["dla.".Length..].Split('_').Select(w => char.ToUpperInvariant(w[0]) + w[1..]))] = Uri.EscapeDataString(value);
        }
        return Results.Stream(
            output => writer.WriteAsync(ExportRows.ReadAllAsync(databases, jobId, settings.Embed, cancellationToken), output, cancellationToken),
            writer.ContentType, $"{jobId}{writer.FileExtension}");
    }

    private static async Task<SearchResult> SearchAsync(string id, HttpRequest request, SimilaritySearch search, CancellationToken cancellationToken)
    {
        var jobId = JobIds.Parse(id);
        if (!request.HasFormContentType)
        {
            var body = await JsonBody.ReadAsync<SearchRequest>(request, cancellationToken);
            return await search.ByImagePathAsync(jobId, body.ImagePath, body.K, cancellationToken);
        }
        var form = await request.ReadFormAsync(cancellationToken);
        var file = form.Files.GetFile("image") ?? (form.Files.Count > 0 ? form.Files[0] : null)
            ?? throw Invalid("image", "Upload the query image as a multipart file named 'image'.");
        var k = 10;
        if (form.TryGetValue("k", out var kText) && !int.TryParse(kText, out k))
        {
            throw Invalid("k", $"'{kText}' is not a number.");
        }
        using var bytes = new MemoryStream();
        await file.CopyToAsync(bytes, cancellationToken);
        return await search.ByUploadAsync(jobId, bytes.ToArray(), k, cancellationToken);
    }

    private static JobValidationException Invalid(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>One page of outcomes; <see cref="Total"/> is the number of manifest images listed so far.</summary>
public sealed record ResultPage(int Page, int PageSize, long Total, IReadOnlyList<ResultItem> Items);

/// <summary>One image's outcome, without the embedding (use the export for embeddings).</summary>
public sealed record ResultItem(long ImageId, string Path, IReadOnlyList<ExportClass>? TopK, ExportError? Error);
