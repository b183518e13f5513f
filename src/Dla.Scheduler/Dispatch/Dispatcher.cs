using Dla.Scheduler.Completion;
using Dla.Scheduler.Leadership;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Dla.Scheduler.Dispatch;

/// <summary>
/// The outbox relay: runs a <see cref="BatchDispatch"/> round when <see cref="DispatchSignal"/> is raised (batches
/// planned, a batch stored), at most one per <see cref="MinimumGap"/>, and at the latest every
/// <see cref="DispatchOptions.DispatchIntervalMilliseconds"/>; every few seconds a completion check of all running jobs,
/// because batch events can be lost or duplicated and a job must still finish exactly once. Runs on
/// the leading replica only (<see cref="SchedulerLeadership"/>), so replicas do not publish a batch twice.
/// </summary>
public sealed partial class Dispatcher(IServiceScopeFactory scopes, BatchDispatch dispatch, DispatchSignal signal, SchedulerLeadership leadership,
    IOptions<DispatchOptions> options, TimeProvider time, ILogger<Dispatcher> logger) : BackgroundService
{
    /// <summary>
    /// The shortest pause between rounds: many workers storing small batches raise the signal hundreds of times a
    /// second, and a round costs several queries; one round serves every raise since the last.
    /// </summary>
    private static readonly TimeSpan MinimumGap = TimeSpan.FromMilliseconds(50);

    /// <summary>How often running jobs are checked for completion without an event.</summary>
    private static readonly TimeSpan CompletionCheckInterval = TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => leadership.RunWhileLeadingAsync(LeadAsync, stoppingToken);

    /// <summary>Dispatch rounds until <paramref name="stoppingToken"/> ends (leadership lost, or shutdown).</summary>
    private async Task LeadAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMilliseconds(options.Value.DispatchIntervalMilliseconds);
        var gap = MinimumGap < interval ? MinimumGap : interval;
        var lastCheck = time.GetTimestamp();
        try
        {
            while (true)
            {
                var roundStarted = time.GetTimestamp();
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var published = await dispatch.RunAsync(scope.ServiceProvider.GetRequiredService<IPublishEndpoint>(), stoppingToken);
                    if (published > 0)
                    {
                        LogDispatched(published);
                    }
                    if (time.GetElapsedTime(lastCheck) >= CompletionCheckInterval)
                    {
                        lastCheck = time.GetTimestamp();
                        await scope.ServiceProvider.GetRequiredService<JobCompletion>().CheckRunningJobsAsync(stoppingToken);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The next round retries: the outbox still holds everything undispatched.
                    LogRoundFailed(ex);
                }
                // At most one round per gap however often the signal is raised, and at least one per interval.
                await Task.Delay(Remaining(roundStarted, gap), time, stoppingToken);
                await signal.WaitAsync(Remaining(roundStarted, interval), time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Leadership ended or shutting down, between rounds.
        }
    }

    /// <summary>What is left of <paramref name="period"/> since <paramref name="started"/>; zero once it has passed.</summary>
    private TimeSpan Remaining(long started, TimeSpan period)
    {
        var left = period - time.GetElapsedTime(started);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dispatched {Count} batches")]
    private partial void LogDispatched(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatch round failed; retrying next round")]
    private partial void LogRoundFailed(Exception exception);
}
