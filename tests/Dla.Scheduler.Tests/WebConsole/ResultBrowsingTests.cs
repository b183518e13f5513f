using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Tests.Hosting;
using Microsoft.EntityFrameworkCore;

namespace Dla.Scheduler.Tests.WebConsole;

/// <summary>The endpoints behind the console's pictures: keyset paging, image detail, errors by kind, batches, throughput, the job list's filters.</summary>
public sealed class ResultBrowsingTests : IDisposable
{
    private readonly TestDataset _dataset = new(images: 40);

    public void Dispose() => _dataset.Dispose();

    private static float Probability(long imageId) => (imageId * 37 % 20) / 20f;

    private static string Label(long imageId) => imageId % 3 == 0 ? "cat" : "dog";

    /// <summary>A finished job of 40 images: 3 failed (ids 5, 6 unreadable; 7 truncated), the others with varied, tied probabilities.</summary>
    private static async Task<Guid> FinishedJobAsync(SchedulerHost host, string dataset)
    {
        var jobId = await host.SubmitAsync(new { dataset, model = "dla34", batch_size = 10 });
        var errors = new Dictionary<long, string> { [5] = "unreadable", [6] = "unreadable", [7] = "truncated" };
        foreach (var batch in await host.AllBatchesReceivedAsync(jobId, 4))
        {
            await host.Worker.ProcessAsync(batch, errors);
        }
        await host.JobReachesAsync(jobId, JobState.Succeeded);
        await using var db = await host.Databases.CreateAsync(TestContext.Current.CancellationToken);
        foreach (var result in await db.Results.Where(r => r.JobId == jobId).ToListAsync(TestContext.Current.CancellationToken))
        {
            result.Top1Probability = Probability(result.ImageId);
            result.Top1Label = Label(result.ImageId);
        }
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return jobId;
    }

    private static async Task<List<(long Id, string? Label, float? Probability)>> ReadAllAsync(SchedulerHost host, Guid jobId, string filters, int limit)
    {
        var seen = new List<(long, string?, float?)>();
        string? next = null;
        do
        {
            var after = next is null ? "" : $"&after={Uri.EscapeDataString(next)}";
            var page = await host.Http.GetFromJsonAsync<JsonElement>($"/jobs/{jobId}/results/browse?limit={limit}{filters}{after}", TestContext.Current.CancellationToken);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.True(items.Count <= limit);
            seen.AddRange(items.Select(i => (i.GetProperty("image_id").GetInt64(), i.GetProperty("label").GetString(), (float?)i.GetProperty("probability").GetSingle())));
            next = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        }
        while (next is not null);
        return seen;
    }

    [Fact]
    public async Task Keyset_pages_return_every_matching_result_exactly_once_in_each_order()
    {
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);
        var jobId = await FinishedJobAsync(host, _dataset.Root);
        var succeeded = Enumerable.Range(0, 40).Select(i => (long)i).Where(i => i is not (5 or 6 or 7)).ToList();

        var byImage = await ReadAllAsync(host, jobId, "", limit: 7);
        var leastConfident = await ReadAllAsync(host, jobId, "&order=probability", limit: 6);
        var mostConfidentCats = await ReadAllAsync(host, jobId, "&order=probability_desc&label=cat", limit: 4);
        var lowConfidence = await ReadAllAsync(host, jobId, "&order=probability&minProbability=0.1&maxProbability=0.5", limit: 3);

        Assert.Equal(succeeded, byImage.Select(r => r.Id));
        Assert.Equal(succeeded.OrderBy(Probability).ThenBy(i => i), leastConfident.Select(r => r.Id));
        Assert.Equal(succeeded.Where(i => Label(i) == "cat").OrderByDescending(Probability).ThenByDescending(i => i), mostConfidentCats.Select(r => r.Id));
        Assert.All(mostConfidentCats, r => Assert.Equal("cat", r.Label));
        Assert.Equal(succeeded.Where(i => Probability(i) is >= 0.1f and <= 0.5f).OrderBy(Probability).ThenBy(i => i), lowConfidence.Select(r => r.Id));
        Assert.Equal(_dataset.ListingOrder[0], (await host.Http.GetFromJsonAsync<JsonElement>($"/jobs/{jobId}/results/browse?limit=1", TestContext.Current.CancellationToken))
            .GetProperty("items")[0].GetProperty("path").GetString());

        using var badCursor = await host.Http.GetAsync($"/jobs/{jobId}/results/browse?order=probability&after=12", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
        using var badOrder = await host.Http.GetAsync($"/jobs/{jobId}/results/browse?order=size", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, badOrder.StatusCode);
    }

    [Fact]
    public async Task A_jobs_errors_are_summarised_by_kind_with_examples_and_its_batches_by_state()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);
        var jobId = await FinishedJobAsync(host, _dataset.Root);

        var errors = await host.Http.GetFromJsonAsync<JsonElement>($"/jobs/{jobId}/errors", cancellationToken);
        var batches = await host.Http.GetFromJsonAsync<JsonElement>($"/jobs/{jobId}/batches", cancellationToken);
        var throughput = await host.Http.GetFromJsonAsync<JsonElement>($"/jobs/{jobId}/throughput", cancellationToken);
        var failedImage = await host.Http.GetFromJsonAsync<JsonElement>($"/jobs/{jobId}/images/7", cancellationToken);
        var goodImage = await host.Http.GetFromJsonAsync<JsonElement>($"/jobs/{jobId}/images/8", cancellationToken);

        Assert.Equal(["unreadable", "truncated"], errors.EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal([2L, 1L], errors.EnumerateArray().Select(e => e.GetProperty("count").GetInt64()));
        Assert.Equal([_dataset.ListingOrder[5], _dataset.ListingOrder[6]], errors[0].GetProperty("examples").EnumerateArray().Select(e => e.GetProperty("path").GetString()));
        Assert.Equal(4, batches.GetProperty("completed").GetInt32());
        Assert.Equal(0, batches.GetProperty("failed").GetInt32());
        Assert.Equal(40, throughput.GetProperty("images_per_second").EnumerateArray().Sum(v => v.GetDouble()) * throughput.GetProperty("bucket_seconds").GetInt32(), 3);
        Assert.Equal("truncated", failedImage.GetProperty("error").GetProperty("kind").GetString());
        Assert.Equal(_dataset.ListingOrder[8], goodImage.GetProperty("path").GetString());
        Assert.Equal(2, goodImage.GetProperty("top_k").GetArrayLength());
        using var unknown = await host.Http.GetAsync($"/jobs/{jobId}/images/40", cancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task The_job_list_filters_by_state_and_model_and_carries_progress_when_asked()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);
        var finished = await FinishedJobAsync(host, _dataset.Root);
        var pending = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla46_c", batch_size = 10 });

        var succeeded = await host.Http.GetFromJsonAsync<JsonElement>("/jobs?state=succeeded&progress=true", cancellationToken);
        var byModel = await host.Http.GetFromJsonAsync<JsonElement>("/jobs?model=dla46_c", cancellationToken);
        using var badState = await host.Http.GetAsync("/jobs?state=done", cancellationToken);

        var job = Assert.Single(succeeded.GetProperty("jobs").EnumerateArray());
        Assert.Equal(finished, job.GetProperty("id").GetGuid());
        Assert.Equal(37, job.GetProperty("progress").GetProperty("succeeded").GetInt64());
        Assert.Equal(3, job.GetProperty("progress").GetProperty("failed").GetInt64());
        Assert.Equal(1, succeeded.GetProperty("total").GetInt64());
        Assert.Equal(pending, Assert.Single(byModel.GetProperty("jobs").EnumerateArray()).GetProperty("id").GetGuid());
        Assert.Equal(JsonValueKind.Null, byModel.GetProperty("jobs")[0].GetProperty("progress").ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, badState.StatusCode);
    }
}
