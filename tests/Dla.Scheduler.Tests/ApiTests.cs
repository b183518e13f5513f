using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Tests.Hosting;

namespace Dla.Scheduler.Tests;

/// <summary>Input validation, status codes, paging, the event stream, health and OpenAPI.</summary>
public sealed class ApiTests : IDisposable
{
    private readonly TestDataset _dataset = new(images: 12);

    public void Dispose() => _dataset.Dispose();

    public static TheoryData<string, string> BadRequests => new()
    {
        { "{\"dataset\": ", "body" },
        { "{\"dataset\": \"D\", \"model\": \"dla34\", \"batch_size\": \"many\"}", "body" },
        { "{\"dataset\": \"D\", \"model\": \"dla34\", \"batchsize\": 8}", "body" },
        { "{\"dataset\": \"D\", \"model\": \"resnet50\"}", "model" },
        { "{\"dataset\": \"D\", \"model\": \"{\\\"levels\\\": [1]}\", \"weights\": \"random\"}", "model" },
        { "{\"dataset\": \"D\", \"model\": \"missing.onnx\"}", "model" },
        { "{\"dataset\": \"D\", \"model\": \"dla34\", \"batch_size\": -1}", "batch_size" },
        { "{\"dataset\": \"D\", \"model\": \"dla34\", \"batch_size\": 100000}", "batch_size" },
        { "{\"dataset\": \"D\", \"model\": \"dla34\", \"top_k\": 0}", "top_k" },
        { "{\"dataset\": \"D\", \"model\": \"dla34\", \"tasks\": []}", "tasks" },
        { "{\"dataset\": \"D\", \"model\": \"dla34\", \"tasks\": [\"segment\"]}", "tasks" },
        { "{\"dataset\": \"D\", \"model\": \"dla34\", \"precision\": \"int8\"}", "precision" },
        { "{\"dataset\": \"D\", \"model\": \"dla34\", \"decode\": \"turbo\"}", "decode" },
        { "{\"dataset\": \"D\", \"model\": \"dla34\", \"embedding_precision\": \"fp8\"}", "embedding_precision" },
        { "{\"dataset\": \"D\", \"model\": \"dla34\", \"max_failed_percent\": 150}", "max_failed_percent" },
        { "{\"dataset\": \"D\", \"model\": \"dla34\", \"num_classes\": 10}", "num_classes" },
        { "{\"dataset\": \"D\", \"model\": \"dla34\", \"weights\": \"/nope/w.safetensors\"}", "weights" },
        { "{\"dataset\": \"/etc\", \"model\": \"dla34\"}", "dataset" },
        { "{\"dataset\": \"D/../..\", \"model\": \"dla34\"}", "dataset" },
        { "{\"dataset\": \"azure://Bad_Name/x\", \"model\": \"dla34\"}", "dataset" },
        { "{\"model\": \"dla34\"}", "dataset" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Invalid_submissions_are_400_naming_the_field(string body, string field)
    {
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);
        using var content = new StringContent(body.Replace("\"D", "\"" + _dataset.Root, StringComparison.Ordinal), Encoding.UTF8, "application/json");

        using var response = await host.Http.PostAsync("/jobs", content, TestContext.Current.CancellationToken);

        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, problem.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task The_decode_mode_is_recorded_on_the_job_and_sent_to_the_workers()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);
        var fast = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 12, decode = "fast" });
        var exact = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 12 });

        Assert.Equal("fast", (await host.Http.GetFromJsonAsync<JsonElement>($"/jobs/{fast}", ct)).GetProperty("decode").GetString());
        Assert.Equal("exact", (await host.Http.GetFromJsonAsync<JsonElement>($"/jobs/{exact}", ct)).GetProperty("decode").GetString());
        Assert.All(await host.AllBatchesReceivedAsync(fast, 1), b => Assert.Equal("fast", b.Model.Decode));
        Assert.All(await host.AllBatchesReceivedAsync(exact, 1), b => Assert.Equal("exact", b.Model.Decode));
    }

    [Theory]
    [InlineData("GET", "/jobs/not-a-uuid", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/jobs/3f2504e0-4f89-11d3-9a0c-0305e82c3301", HttpStatusCode.NotFound)]
    [InlineData("GET", "/jobs/3f2504e0-4f89-11d3-9a0c-0305e82c3301/events", HttpStatusCode.NotFound)]
    [InlineData("POST", "/jobs/3f2504e0-4f89-11d3-9a0c-0305e82c3301/cancel", HttpStatusCode.NotFound)]
    [InlineData("POST", "/jobs/3f2504e0-4f89-11d3-9a0c-0305e82c3301/retry-failed", HttpStatusCode.NotFound)]
    [InlineData("GET", "/jobs/3f2504e0-4f89-11d3-9a0c-0305e82c3301/export?format=csv", HttpStatusCode.NotFound)]
    [InlineData("GET", "/jobs?page=0", HttpStatusCode.BadRequest)]
    [InlineData("GET", "/jobs?pageSize=5000", HttpStatusCode.BadRequest)]
    public async Task Bad_ids_are_400_and_unknown_jobs_404(string method, string path, HttpStatusCode expected)
    {
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);

        using var response = await host.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Jobs_are_listed_and_paged_and_finished_jobs_refuse_cancellation_and_bad_formats()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);
        var first = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 12 });
        var second = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 12 });
        await host.Worker.ProcessAsync((await host.AllBatchesReceivedAsync(first, 1))[0]);
        await host.JobReachesAsync(first, JobState.Succeeded);

        var page = await host.Http.GetFromJsonAsync<JsonElement>("/jobs?page=1&pageSize=1", cancellationToken);
        Assert.Equal(2, page.GetProperty("total").GetInt64());
        Assert.Equal(second, Assert.Single(page.GetProperty("jobs").EnumerateArray()).GetProperty("id").GetGuid());
        var results = await host.Http.GetFromJsonAsync<JsonElement>($"/jobs/{first}/results?page=2&pageSize=5", cancellationToken);
        Assert.Equal([5L, 6, 7, 8, 9], results.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("image_id").GetInt64()));
        Assert.Equal(12, results.GetProperty("total").GetInt64());

        using var cancel = await host.Http.PostAsync($"/jobs/{first}/cancel", null, cancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);
        using var export = await host.Http.GetAsync($"/jobs/{first}/export?format=xml", cancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, export.StatusCode);
    }

    [Fact]
    public async Task The_event_stream_sends_progress_until_the_job_is_final()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);
        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", batch_size = 6 });
        var batches = await host.AllBatchesReceivedAsync(jobId, 2);
        await host.Worker.ProcessAsync(batches[0]);

        using var response = await host.Http.GetAsync($"/jobs/{jobId}/events", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        var first = await NextEventAsync(reader);
        Assert.Equal(jobId, first.GetProperty("job_id").GetGuid());
        Assert.Equal(6, first.GetProperty("succeeded").GetInt64());
        Assert.Equal(12, first.GetProperty("total").GetInt64());

        await host.Worker.ProcessAsync(batches[1]);
        JsonElement last;
        do
        {
            last = await NextEventAsync(reader);
        }
        while (!last.GetProperty("is_final").GetBoolean());
        Assert.Equal("succeeded", last.GetProperty("state").GetString());
        // The stream ends after the final report.
        Assert.Equal("", (await reader.ReadToEndAsync(cancellationToken)).Trim());
    }

    [Fact]
    public async Task Health_and_openapi_answer()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);

        Assert.Equal("Healthy", await host.Http.GetStringAsync("/health/live", cancellationToken));
        await Eventually.HoldsAsync(async () => (await host.Http.GetAsync("/health/ready", cancellationToken)).StatusCode, s => s == HttpStatusCode.OK, "readiness");
        var openApi = await host.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json", cancellationToken);
        Assert.True(openApi.GetProperty("paths").TryGetProperty("/jobs/{id}/retry-failed", out _));
    }

    private static async Task<JsonElement> NextEventAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync(TestContext.Current.CancellationToken) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
            }
        }
        throw new InvalidOperationException("The event stream ended.");
    }
}
