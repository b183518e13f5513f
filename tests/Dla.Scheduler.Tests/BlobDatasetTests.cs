using Azure.Storage.Blobs;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Tests.Hosting;
using Dla.Testing;

namespace Dla.Scheduler.Tests;

/// <summary>Planning a blob prefix in Azurite (skipped with the reason when it is not running).</summary>
public sealed class BlobDatasetTests : IDisposable
{
    private readonly TestDataset _dataset = new(images: 0);

    public void Dispose() => _dataset.Dispose();

    [Fact]
    public async Task A_blob_prefix_is_planned_relative_to_the_prefix_and_restricted_to_allowed_containers()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var container = new BlobServiceClient(RealServices.BlobStorage()).GetBlobContainerClient($"plan-{Guid.NewGuid():N}");
        await container.CreateAsync(cancellationToken: cancellationToken);
        try
        {
            var names = Enumerable.Range(0, 45).Select(i => $"photos/{i % 4}/p{i:D3}.jpg").Append("photos/notes.txt").Append("elsewhere/x.jpg").ToList();
            await Parallel.ForEachAsync(names, cancellationToken, async (name, ct) => await container.UploadBlobAsync(name, BinaryData.FromString("x"), ct));
            await using var host = await SchedulerHost.StartSqliteAsync(_dataset.SqliteFile, _dataset.Root,
                new Dictionary<string, string?> { ["Datasets:AllowedContainers:0"] = container.Name });

            var jobId = await host.SubmitAsync(new { dataset = $"azure://{container.Name}/photos", model = "dla34", batch_size = 10 });

            var job = await Eventually.HoldsAsync(() => host.JobAsync(jobId), j => j.ListingComplete || j.State is not (JobState.Pending or JobState.Running), "listing to complete");
            Assert.Null(job.FailureReason);
            Assert.Equal((45L, 5), (job.ListedImages, job.PlannedBatches));
            var expected = names.Where(n => n.StartsWith("photos/", StringComparison.Ordinal) && n.EndsWith(".jpg", StringComparison.Ordinal))
                .Select(n => n["photos/".Length..]).Order(StringComparer.Ordinal);
            Assert.Equal(expected, (await host.ManifestAsync(jobId)).Select(i => i.Path));
            var first = (await host.AllBatchesReceivedAsync(jobId, 5))[0];
            Assert.Equal($"azure://{container.Name}/photos", first.Dataset);

            using var refused = await host.Http.PostAsync("/jobs", System.Net.Http.Json.JsonContent.Create(new { dataset = "azure://other-container/x", model = "dla34" }), cancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
        }
        finally
        {
            await container.DeleteAsync(cancellationToken: cancellationToken);
        }
    }
}
