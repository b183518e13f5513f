using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dla.Scheduler.Tests.Hosting;

namespace Dla.Scheduler.Tests;

/// <summary>
/// Bodies over Api:MaxJsonBytes and Api:MaxUploadBytes are 413 problems naming the setting, whether the
/// client declares the length or streams it chunked, and the scheduler stays healthy with nothing created.
/// </summary>
public sealed class RequestLimitTests : IDisposable
{
    private const int Limit = 64 * 1024;
    private readonly TestDataset _dataset = new(images: 4);

    public void Dispose() => _dataset.Dispose();

    [Fact]
    public async Task Oversized_bodies_are_413_naming_the_limit_declared_or_chunked()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root,
            new Dictionary<string, string?> { ["Api:MaxJsonBytes"] = $"{Limit}", ["Api:MaxUploadBytes"] = $"{Limit}" });
        var submission = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { dataset = _dataset.Root, model = "dla34", note = new string('x', 4 * Limit) }));
        var jobId = Guid.NewGuid();

        foreach (var chunked in new[] { false, true })
        {
            await AssertTooLargeAsync(host, "/jobs", Body(submission, "application/json", chunked), "Api:MaxJsonBytes", ct);
            await AssertTooLargeAsync(host, $"/jobs/{jobId}/search", Upload(new byte[4 * Limit], chunked), "Api:MaxUploadBytes", ct);
        }

        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/health/live", ct)).StatusCode);
        Assert.Equal(0, (await host.Http.GetFromJsonAsync<JsonElement>("/jobs", ct)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_huge_list_in_a_submission_is_413_under_the_default_limit()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);
        var labels = Enumerable.Range(0, 200_000).Select(i => $"class number {i}").ToArray();
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { dataset = _dataset.Root, model = "dla34", labels }));

        await AssertTooLargeAsync(host, "/jobs", Body(body, "application/json", chunked: false), "Api:MaxJsonBytes (1048576 bytes)", ct);
    }

    private static async Task AssertTooLargeAsync(SchedulerHost host, string path, HttpContent content, string setting, CancellationToken ct)
    {
        using (content)
        {
            using var response = await host.Http.PostAsync(path, content, ct);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{path} ({(content.Headers.ContentLength is null ? "chunked" : "declared")}): {(int)response.StatusCode} {problem}");
            Assert.Contains(setting, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    private static HttpContent Body(byte[] bytes, string mediaType, bool chunked)
    {
        // A stream of unknown length goes out chunked: the server learns the size only by reading.
        HttpContent content = chunked ? new StreamContent(new UnknownLengthStream(bytes)) : new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    private static MultipartFormDataContent Upload(byte[] image, bool chunked)
    {
        var form = new MultipartFormDataContent();
        var file = chunked ? (HttpContent)new StreamContent(new UnknownLengthStream(image)) : new ByteArrayContent(image);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "image", "query.png");
        return form;
    }

    /// <summary>A memory stream that will not tell its length, so HTTP content over it cannot compute one.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
