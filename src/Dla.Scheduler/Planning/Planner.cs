using System.Collections.Concurrent;
using System.Threading.Channels;
using Dla.Scheduler.Leadership;

namespace Dla.Scheduler.Planning;

/// <summary>
/// Runs <see cref="JobPlanning"/> for each submitted job, concurrently across jobs and once per job
/// at a time, on the leading replica only (<see cref="SchedulerLeadership"/>). When it starts leading,
/// and every <see cref="DiscoveryInterval"/> after, it picks up every job whose listing is not complete:
/// interrupted listings, and jobs submitted through another replica's API.
/// </summary>
public sealed partial class Planner(JobPlanning planning, SchedulerLeadership leadership, ILogger<Planner> logger) : BackgroundService
{
    /// <summary>How often the leader looks for jobs it has not been told about.</summary>
    public static readonly TimeSpan DiscoveryInterval = TimeSpan.FromSeconds(2);

    /// <summary>Pause before planning a job again after an unexpected (e.g. database) error.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private readonly Channel<Guid> _requests = Channel.CreateUnbounded<Guid>();
    private readonly ConcurrentDictionary<Guid, Task> _active = new();

    /// <summary>Asks for <paramref name="jobId"/> to be planned; a job already being planned is not started twice.</summary>
    public void Enqueue(Guid jobId) => _requests.Writer.TryWrite(jobId);

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => leadership.RunWhileLeadingAsync(LeadAsync, stoppingToken);

    /// <summary>Plans jobs until <paramref name="leading"/> ends (leadership lost, or shutdown).</summary>
    private async Task LeadAsync(CancellationToken leading)
    {
        var discovery = DiscoverAsync(leading);
        try
        {
            await foreach (var jobId in _requests.Reader.ReadAllAsync(leading))
            {
                _ = _active.GetOrAdd(jobId, id => RunAsync(id, leading));
            }
        }
        catch (OperationCanceledException) when (leading.IsCancellationRequested)
        {
            // Leadership ended: stop listing; the next leader resumes each listing where it stopped.
        }
        finally
        {
            await discovery;
            await Task.WhenAll(_active.Values);
        }
    }

    private async Task DiscoverAsync(CancellationToken leading)
    {
        try
        {
            while (true)
            {
                try
                {
                    foreach (var jobId in await planning.UnfinishedJobsAsync(leading))
                    {
                        Enqueue(jobId);
                    }
                }
                catch (Exception ex) when (!leading.IsCancellationRequested)
                {
                    LogDiscoveryFailed(ex);
                }
                await Task.Delay(DiscoveryInterval, leading);
            }
        }
        catch (OperationCanceledException) when (leading.IsCancellationRequested)
        {
        }
    }

    private async Task RunAsync(Guid jobId, CancellationToken leading)
    {
        await Task.Yield();
        try
        {
            await planning.PlanAsync(jobId, leading);
        }
        catch (OperationCanceledException) when (leading.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            LogPlanningFailed(ex, jobId);
            _ = RetryLaterAsync(jobId, leading);
        }
        finally
        {
            _active.TryRemove(jobId, out _);
        }
    }

    private async Task RetryLaterAsync(Guid jobId, CancellationToken leading)
    {
        try
        {
            await Task.Delay(RetryDelay, leading);
            Enqueue(jobId);
        }
        catch (OperationCanceledException)
        {
            // No longer leading; whoever leads next resumes the job.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Planning job {JobId} failed; retrying shortly")]
    private partial void LogPlanningFailed(Exception exception, Guid jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for unplanned jobs failed; retrying shortly")]
    private partial void LogDiscoveryFailed(Exception exception);
}
