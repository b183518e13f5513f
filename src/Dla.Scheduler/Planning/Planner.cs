using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Dla.Scheduler.Planning;

/// <summary>
/// Runs <see cref="JobPlanning"/> for each submitted job, concurrently across jobs and once per job
/// at a time; at start-up it resumes every job whose listing was interrupted. One scheduler replica
/// plans; a second would only collide on primary keys, never duplicate rows.
/// </summary>
public sealed partial class Planner(JobPlanning planning, ILogger<Planner> logger) : BackgroundService
{
    /// <summary>Pause before planning a job again after an unexpected (e.g. database) error.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private readonly Channel<Guid> _requests = Channel.CreateUnbounded<Guid>();
    private readonly ConcurrentDictionary<Guid, Task> _active = new();

    /// <summary>Asks for <paramref name="jobId"/> to be planned; a job already being planned is not started twice.</summary>
    public void Enqueue(Guid jobId) => _requests.Writer.TryWrite(jobId);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            foreach (var jobId in await planning.UnfinishedJobsAsync(stoppingToken))
            {
                Enqueue(jobId);
            }
            await foreach (var jobId in _requests.Reader.ReadAllAsync(stoppingToken))
            {
                _ = _active.GetOrAdd(jobId, id => RunAsync(id, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: interrupted listings resume at the next start.
        }
        finally
        {
            await Task.WhenAll(_active.Values);
        }
    }

    private async Task RunAsync(Guid jobId, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await planning.PlanAsync(jobId, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            LogPlanningFailed(ex, jobId);
            _ = RetryLaterAsync(jobId, stoppingToken);
        }
        finally
        {
            _active.TryRemove(jobId, out _);
        }
    }

    private async Task RetryLaterAsync(Guid jobId, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(RetryDelay, stoppingToken);
            Enqueue(jobId);
        }
        catch (OperationCanceledException)
        {
            // Shutting down; the next start resumes the job.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Planning job {JobId} failed; retrying shortly")]
    private partial void LogPlanningFailed(Exception exception, Guid jobId);
}
