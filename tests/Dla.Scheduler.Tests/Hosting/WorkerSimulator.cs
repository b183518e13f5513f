using System.Text.Json;
using Dla.Contracts;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Persistence.Results;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace Dla.Scheduler.Tests.Hosting;

/// <summary>
/// Does what a worker does around inference, without the model: records the batch's start (the real
/// worker's <see cref="BatchTransitions.StartAsync"/>, with no heartbeat after it, as a worker that dies), stores one
/// outcome per image and the batch's completion in one transaction, then publishes <see cref="ImageBatchProcessed"/>.
/// </summary>
public sealed class WorkerSimulator(IDlaDbContextFactory databases, IBus bus)
{
    /// <summary>Starts the batch as <paramref name="worker"/> would; false when it is not to be run (complete, cancelled, stale copy).</summary>
    public async Task<bool> StartAsync(ProcessImageBatch batch, string worker = "simulated-worker")
    {
        await using var db = await databases.CreateAsync(TestContext.Current.CancellationToken);
        return await BatchTransitions.StartAsync(db, batch.JobId, batch.BatchIndex, batch.Dispatch, worker, DateTimeOffset.UtcNow,
            TimeSpan.FromSeconds(batch.LeaseSeconds), TestContext.Current.CancellationToken);
    }

    /// <summary>Stores results for every image except those in <paramref name="errors"/> (image id → error kind).</summary>
    public async Task ProcessAsync(ProcessImageBatch batch, IReadOnlyDictionary<long, string>? errors = null, Func<long, float[]>? embedding = null, bool publish = true)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await StartAsync(batch);
        await using (var db = await databases.CreateAsync(cancellationToken))
        {
            var now = DateTimeOffset.UtcNow;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // As the real writers do: an fp16 job's embeddings go to the halfvec column.
            var half = await db.Jobs.Where(j => j.Id == batch.JobId).Select(j => j.EmbeddingPrecision).FirstAsync(cancellationToken) == EmbeddingPrecisions.Fp16;
            foreach (var image in batch.Images)
            {
                if (errors?.TryGetValue(image.ImageId, out var kind) == true)
                {
                    db.Errors.Add(new ImageError { JobId = batch.JobId, ImageId = image.ImageId, Kind = kind, Message = $"simulated {kind}", CreatedAt = now });
                }
                else
                {
                    var result = Result(batch.JobId, image.ImageId, embedding?.Invoke(image.ImageId) ?? [1, image.ImageId, 0.5f], now);
                    result.HalfPrecision = half;
                    db.Results.Add(result);
                }
            }
            await db.SaveChangesAsync(cancellationToken);
            await BatchTransitions.CompleteAsync(db, batch.JobId, batch.BatchIndex, now, cancellationToken);
            await BatchOutcomeCounts.RecountAsync(db, batch.JobId, [batch.BatchIndex], cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        if (publish)
        {
            var failed = errors is null ? 0 : batch.Images.Count(i => errors.ContainsKey(i.ImageId));
            await bus.Publish(new ImageBatchProcessed(batch.JobId, batch.BatchIndex, batch.Images.Count - failed, failed, "test", 0.01), cancellationToken);
        }
    }

    /// <summary>A result whose top-1 is class <c>imageId % 1000</c>.</summary>
    public static ImageResult Result(Guid jobId, long imageId, float[]? embedding, DateTimeOffset at)
    {
        var index = (int)(imageId % 1000);
        var topK = new[] { new { index, label = $"class {index}", probability = 0.75f }, new { index = index + 1, label = "other, with comma", probability = 0.25f } };
        return new ImageResult
        {
            JobId = jobId,
            ImageId = imageId,
            Top1Index = index,
            Top1Label = topK[0].label,
            Top1Probability = 0.75f,
            TopKJson = JsonSerializer.Serialize(topK),
            Embedding = embedding,
            CreatedAt = at,
        };
    }
}
