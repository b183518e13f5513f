using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Persistence.Results;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Dla.Persistence.Tests.Jobs;

/// <summary>
/// A running job whose manifest puts <see cref="ImagesPerBatch"/> images in each of its started batches (image i in batch
/// i / 10), the application's result writer, and contexts to read back with.
/// </summary>
internal sealed class JobStore(ServiceProvider services) : IAsyncDisposable
{
    public const int ImagesPerBatch = 10;

    public Guid JobId { get; } = Guid.NewGuid();

    public IResultWriter Writer { get; } = services.GetRequiredService<IResultWriter>();

    public Task<DlaDbContext> ContextAsync() => services.GetRequiredService<IDlaDbContextFactory>().CreateAsync();

    /// <summary>Stores the job, its batches and its manifest in the database <paramref name="configuration"/> selects.</summary>
    public static async Task<JobStore> OpenAsync(IConfiguration configuration, int batches, CancellationToken cancellationToken)
    {
        var store = new JobStore(new ServiceCollection().AddSingleton(configuration).AddDlaDatabase(configuration).AddDlaResultWriter(configuration).BuildServiceProvider());
        await using var db = await store.ContextAsync();
        db.Jobs.Add(new Job { Id = store.JobId, Dataset = "/data", Model = "dla34", State = JobState.Running, CreatedAt = DateTimeOffset.UtcNow,
            ListedImages = batches * ImagesPerBatch, PlannedBatches = batches, ListingComplete = true });
        db.Batches.AddRange(Enumerable.Range(0, batches).Select(b => new Batch { JobId = store.JobId, BatchIndex = b, State = BatchState.Started, ImageCount = ImagesPerBatch }));
        db.Images.AddRange(Enumerable.Range(0, batches * ImagesPerBatch).Select(i => new ManifestImage { JobId = store.JobId, ImageId = i, Path = $"{i}.jpg", BatchIndex = i / ImagesPerBatch }));
        await db.SaveChangesAsync(cancellationToken);
        return store;
    }

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
