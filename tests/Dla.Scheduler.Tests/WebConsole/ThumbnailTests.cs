using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dla.Scheduler.Tests.Hosting;
using SkiaSharp;

namespace Dla.Scheduler.Tests.WebConsole;

/// <summary>
/// Thumbnails: found by job and manifest id only, read under the dataset's confinement, resized on the server,
/// revalidated by ETag, a placeholder for a bad file, and another tenant's job the same 404 as an unknown one.
/// </summary>
public sealed class ThumbnailTests : IDisposable
{
    private const string KeyA = "thumbnail-key-a";
    private const string KeyB = "thumbnail-key-b";

    private readonly TestDataset _dataset = new(images: 4, folders: 1);

    public void Dispose() => _dataset.Dispose();

    /// <summary>Replaces image 0 of the listing by a real 900×600 JPEG (the others stay text files named .jpg).</summary>
    private void WritePhoto()
    {
        using var bitmap = new SKBitmap(900, 600);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(30, 120, 200));
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        File.WriteAllBytes(Path.Combine(_dataset.Root, _dataset.ListingOrder[0]), data.ToArray());
    }

    private async Task<(SchedulerHost Host, Guid JobId)> StartAsync(Dictionary<string, string?>? settings = null, string? key = null)
    {
        WritePhoto();
        var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root, settings);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/jobs") { Content = System.Net.Http.Json.JsonContent.Create(new { dataset = _dataset.Root, model = "dla34", batch_size = 4 }) };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        using var response = await host.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var jobId = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
        await Eventually.HoldsAsync(() => host.JobAsync(jobId), j => j.ListingComplete, "listing to complete");
        return (host, jobId);
    }

    private static async Task<HttpResponseMessage> GetAsync(SchedulerHost host, string url, string? key = null, string? ifNoneMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }
        return await host.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_thumbnail_is_a_resized_jpeg_with_an_etag_and_a_revalidation_is_answered_304()
    {
        var (host, jobId) = await StartAsync();
        await using var _ = host;

        using var response = await GetAsync(host, $"/jobs/{jobId}/images/0/thumbnail?size=128");
        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        using var thumbnail = SKBitmap.Decode(bytes);
        var etag = response.Headers.ETag!.Tag;
        using var again = await GetAsync(host, $"/jobs/{jobId}/images/0/thumbnail?size=128", ifNoneMatch: etag);
        using var otherSize = await GetAsync(host, $"/jobs/{jobId}/images/0/thumbnail?size=256");
        using var oddSize = await GetAsync(host, $"/jobs/{jobId}/images/0/thumbnail?size=100");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal((128, 85), (thumbnail.Width, thumbnail.Height));
        Assert.Contains("private", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.NotEqual(etag, otherSize.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.BadRequest, oddSize.StatusCode);
    }

    [Fact]
    public async Task A_file_that_is_not_an_image_gets_a_placeholder_that_names_the_reason()
    {
        var (host, jobId) = await StartAsync();
        await using var _ = host;

        using var response = await GetAsync(host, $"/jobs/{jobId}/images/1/thumbnail");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("unreadable", Assert.Single(response.Headers.GetValues("Dla-Thumbnail-Placeholder")));
        Assert.Contains("unreadable", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_images_of_the_jobs_manifest_are_served_and_another_tenants_job_is_the_same_404_as_an_unknown_one()
    {
        var settings = new Dictionary<string, string?> { ["Api:Tenants:team-a:Keys:0"] = KeyA, ["Api:Tenants:team-b:Keys:0"] = KeyB };
        var (host, jobId) = await StartAsync(settings, key: KeyA);
        await using var _ = host;

        using var own = await GetAsync(host, $"/jobs/{jobId}/images/0/thumbnail", KeyA);
        using var outside = await GetAsync(host, $"/jobs/{jobId}/images/4/thumbnail", KeyA);
        using var negative = await GetAsync(host, $"/jobs/{jobId}/images/-1/thumbnail", KeyA);
        using var notAnId = await GetAsync(host, $"/jobs/{jobId}/images/..%2F..%2Fetc%2Fpasswd/thumbnail", KeyA);
        using var otherTenant = await GetAsync(host, $"/jobs/{jobId}/images/0/thumbnail", KeyB);
        using var unknownJob = await GetAsync(host, $"/jobs/{Guid.NewGuid()}/images/0/thumbnail", KeyB);
        using var revalidatedByOtherTenant = await GetAsync(host, $"/jobs/{jobId}/images/0/thumbnail", KeyB, ifNoneMatch: own.Headers.ETag!.Tag);
        using var anonymous = await GetAsync(host, $"/jobs/{jobId}/images/0/thumbnail");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, negative.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notAnId.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherTenant.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownJob.StatusCode);
        var unknownProblem = await unknownJob.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var otherProblem = await otherTenant.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(unknownProblem.GetProperty("title").GetString(), otherProblem.GetProperty("title").GetString());
        Assert.Equal($"Job {jobId} does not exist.", otherProblem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, revalidatedByOtherTenant.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
