using Dla.Contracts;
using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Dla.Cli.Run;

/// <summary>
/// Makes <c>dla run</c> resumable: the same dataset, model and outputs find the earlier job, whose
/// stored results stay; batches a killed run had handed to its (in-memory, now gone) queue go back to
/// planned so the dispatcher sends them again. Completed batches are never re-sent, and a batch's
/// results are committed together, so images with a result are not processed again.
/// </summary>
internal static class JobResumption
{
    public static async Task<Job?> FindAsync(DlaDbContext db, JobRequest request, JobTasks tasks, string dataset, CancellationToken ct)
    {
        var candidates = await db.Jobs.Where(j => j.Dataset == dataset && j.Model == request.Model && j.Weights == request.Weights
                && j.Seed == request.Seed && j.NumClasses == request.NumClasses && j.Precision == request.Precision && j.Decode == request.Decode
                && j.EmbeddingPrecision == request.EmbeddingPrecision
                && j.TopK == request.TopK && j.Tasks == tasks && j.State != JobState.Cancelled)
            .ToListAsync(ct);
        return candidates.OrderByDescending(j => j.CreatedAt).FirstOrDefault();
    }

    /// <summary>Re-queues what a previous process left in flight; returns the results already stored.</summary>
    public static async Task<long> ResumeAsync(DlaDbContext db, Job job, CancellationToken ct)
    {
        await BatchTransitions.ReplanInFlightAsync(db, job.Id, ct);
        if (job.State == JobState.Failed && await db.Batches.AnyAsync(b => b.JobId == job.Id && b.State == BatchState.Failed, ct) is false)
        {
            await JobTransitions.ResumeAsync(db, job.Id, ct);
        }
        return await db.Results.LongCountAsync(r => r.JobId == job.Id, ct) + await db.Errors.LongCountAsync(e => e.JobId == job.Id, ct);
    }
}
