using Dla.Persistence.Database;
using Dla.Persistence.Jobs;
using Microsoft.EntityFrameworkCore;

namespace Dla.Scheduler.Telemetry;

/// <summary>
/// Counts jobs and the batches of unfinished jobs by state every <see cref="Interval"/> for
/// <see cref="SchedulerMetrics"/>'s gauges, while an exporter observes them (never in <c>dla run</c>, which
/// has none). Two small grouped counts: the batches are reached through the pending and running jobs' keys.
/// </summary>
public sealed partial class SchedulerGaugeRefresh(IDlaDbContextFactory databases, SchedulerMetrics metrics, TimeProvider time, ILogger<SchedulerGaugeRefresh> logger)
    : BackgroundService
{
    /// <summary>How stale a gauge may be; well under a Prometheus scrape interval.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                if (metrics.GaugesObserved)
                {
                    await RefreshAsync(stoppingToken);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await databases.CreateAsync(cancellationToken);
            var jobs = await db.Jobs.GroupBy(j => j.State).Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync(cancellationToken);
            var batches = await (
                    from b in db.Batches
                    join j in db.Jobs on b.JobId equals j.Id
                    where j.State == JobState.Pending || j.State == JobState.Running
                    group b by b.State into g
                    select new { g.Key, Count = g.LongCount() })
                .ToListAsync(cancellationToken);
            metrics.Update(jobs.ToDictionary(j => j.Key, j => j.Count), batches.ToDictionary(b => b.Key, b => b.Count));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The gauges keep their last values; the next round tries again.
            LogRefreshFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Counting jobs and batches for the metrics failed")]
    private partial void LogRefreshFailed(Exception exception);
}
