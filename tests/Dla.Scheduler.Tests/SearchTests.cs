using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dla.Modeling.Images;
using Dla.Modeling.Inference;
using Dla.Modeling.Models;
using Dla.Modeling.Weights;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Tests.Hosting;
using SkiaSharp;

namespace Dla.Scheduler.Tests;

/// <summary>Similarity search on SQLite (exact scan); the PostgreSQL HNSW path is in <see cref="PostgresRabbitMqTests"/>.</summary>
public sealed class SearchTests : IDisposable
{
    private readonly TestDataset _dataset = new(images: 12);

    public void Dispose() => _dataset.Dispose();

    /// <summary>Image i's embedding points at i × 10 degrees: neighbours in angle are neighbours in cosine distance.</summary>
    public static float[] Angle(long imageId) => [MathF.Cos(imageId * 10 * MathF.PI / 180), MathF.Sin(imageId * 10 * MathF.PI / 180)];

    [Fact]
    public async Task Search_by_an_image_path_returns_the_nearest_images_by_cosine_distance()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);
        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla34", tasks = new[] { "embed" }, batch_size = 4 });
        foreach (var batch in await host.AllBatchesReceivedAsync(jobId, 3))
        {
            await host.Worker.ProcessAsync(batch, embedding: Angle);
        }
        await host.JobReachesAsync(jobId, JobState.Succeeded);
        var paths = _dataset.ListingOrder;

        using var response = await host.Http.PostAsJsonAsync($"/jobs/{jobId}/search", new { image_path = paths[5], k = 3 }, SchedulerHost.Json, cancellationToken);

        var result = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, result.ToString());
        var hits = result.GetProperty("hits").EnumerateArray().ToList();
        Assert.Equal([4L, 6L], hits.Take(2).Select(h => h.GetProperty("image_id").GetInt64()).Order());
        Assert.Contains(hits[2].GetProperty("image_id").GetInt64(), new[] { 3L, 7L });
        Assert.Equal(paths[(int)hits[0].GetProperty("image_id").GetInt64()], hits[0].GetProperty("path").GetString());
        Assert.Equal(1 - Math.Cos(10 * Math.PI / 180), hits[0].GetProperty("distance").GetDouble(), 1e-5);

        using var unknown = await host.Http.PostAsJsonAsync($"/jobs/{jobId}/search", new { image_path = "nope.jpg" }, SchedulerHost.Json, cancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal($"No image 'nope.jpg' in job {jobId}.", (await unknown.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("detail").GetString());
        using var badK = await host.Http.PostAsJsonAsync($"/jobs/{jobId}/search", new { image_path = paths[0], k = 0 }, SchedulerHost.Json, cancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, badK.StatusCode);
    }

    [Fact]
    public async Task Search_by_an_uploaded_image_embeds_it_with_the_jobs_model()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var png = TestImage();
        var query = await EmbedAsync("dla46_c", png, cancellationToken);
        await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root);
        var jobId = await host.SubmitAsync(new { dataset = _dataset.Root, model = "dla46_c", weights = "random", seed = 3, num_classes = 10, tasks = new[] { "embed" }, batch_size = 12 });
        var random = new Random(5);
        var batch = (await host.AllBatchesReceivedAsync(jobId, 1))[0];
        // Image 9 holds the upload's own embedding; the others are random directions.
        await host.Worker.ProcessAsync(batch, embedding: id => id == 9 ? query : Enumerable.Range(0, query.Length).Select(_ => random.NextSingle() - 0.5f).ToArray());
        await host.JobReachesAsync(jobId, JobState.Succeeded);

        using var form = new MultipartFormDataContent();
        using var file = new ByteArrayContent(png);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "image", "query.png");
        using var k = new StringContent("2");
        form.Add(k, "k");
        using var response = await host.Http.PostAsync($"/jobs/{jobId}/search", form, cancellationToken);

        var result = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, result.ToString());
        var hits = result.GetProperty("hits").EnumerateArray().ToList();
        Assert.Equal(2, hits.Count);
        Assert.Equal(9, hits[0].GetProperty("image_id").GetInt64());
        Assert.True(hits[0].GetProperty("distance").GetDouble() < 1e-5);
    }

    private static byte[] TestImage()
    {
        using var bitmap = new SKBitmap(96, 64);
        for (var y = 0; y < 64; y++)
        {
            for (var x = 0; x < 96; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 2), (byte)(y * 3), (byte)(x + y)));
            }
        }
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>The embedding the job's model gives the image, computed here independently of the scheduler.</summary>
    private static async Task<float[]> EmbedAsync(string model, byte[] image, CancellationToken cancellationToken)
    {
        using var hub = new HuggingFaceHub();
        var path = await new ModelRepository(hub).ResolveAsync(new ModelRequest(model, "random", 3, 10), cancellationToken);
        using var session = DlaSession.Open(path);
        var preprocessor = new ImagePreprocessor(session.Description.Preprocess);
        var outputs = session.Run(preprocessor.Preprocess(image), 1, preprocessor.Config.InputHeight, preprocessor.Config.InputWidth);
        return outputs.EmbeddingOf(0).ToArray();
    }
}
