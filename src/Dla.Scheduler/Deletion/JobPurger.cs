using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Dla.Scheduler.Leadership;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dla.Scheduler.Deletion;

/// <summary>
/// On the leading replica: every <see cref="DeletionOptions.PurgeIntervalSeconds"/>, marks finished jobs older than
/// <see cref="DeletionOptions.RetainDays"/> as deleting, and purges every deleting job (<see cref="JobPurge"/>),
/// whichever replica's API deleted it and whether or not an earlier purge was interrupted.
/// </summary>
public sealed partial class JobPurger(IDlaDbContextFactory databases, SchedulerLeadership leadership, IOptions<DeletionOptions> options,
    TimeProvider time, ILogger<JobPurger> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => leadership.RunWhileLeadingAsync(LeadAsync, stoppingToken);

    private async Task LeadAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(settings.PurgeIntervalSeconds), time);
        try
        {
            do
            {
                try
                {
                    await RoundAsync(settings, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The next round tries again: a deleting job stays invisible meanwhile, and nothing writes to it.
                    LogRoundFailed(ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Leadership ended (the database session failed, or another replica leads) or shutting down: an
            // escaping exception would stop the whole host. The next leader resumes any unfinished purge.
        }
    }

    private async Task RoundAsync(DeletionOptions settings, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateAsync(cancellationToken);
        if (settings.RetainDays > 0)
        {
            var expired = await JobTransitions.DeleteFinishedBeforeAsync(db, time.GetUtcNow().AddDays(-settings.RetainDays), cancellationToken);
            if (expired > 0)
            {
                LogExpired(expired, settings.RetainDays);
            }
        }
        var deleting = await db.Jobs.AsNoTracking().Where(j => j.State == JobState.Deleting).Select(j => j.Id).ToListAsync(cancellationToken);
        foreach (var jobId in deleting)
        {
            var clock = time.GetTimestamp();
            if (await JobPurge.RunAsync(db, jobId, settings.PurgeChunkRows, cancellationToken) is { } removed)
            {
                var seconds = time.GetElapsedTime(clock).TotalSeconds;
                LogPurged(jobId, removed.Results, removed.Errors, removed.Images, removed.Batches, seconds);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted job {JobId}: {Results} results, {Errors} errors, {Images} manifest images, {Batches} batches in {Seconds:F1} s")]
    private partial void LogPurged(Guid jobId, long results, long errors, long images, long batches, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} finished jobs are older than Jobs:RetainDays ({Days}): deleting them")]
    private partial void LogExpired(int count, int days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging deleted jobs failed; retrying next round")]
    private partial void LogRoundFailed(Exception ex);
}
