using Dla.Scheduler.Completion;
using Dla.Scheduler.Leadership;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Dla.Scheduler.Dispatch;

/// <summary>
/// The outbox relay: every <see cref="DispatchOptions.DispatchIntervalMilliseconds"/> runs a
/// <see cref="BatchDispatch"/> round, and every few seconds a completion check of all running jobs,
/// because batch events can be lost or duplicated and a job must still finish exactly once. Runs on
/// the leading replica only (<see cref="SchedulerLeadership"/>), so replicas do not publish a batch twice.
/// </summary>
public sealed partial class Dispatcher(IServiceScopeFactory scopes, BatchDispatch dispatch, SchedulerLeadership leadership, IOptions<DispatchOptions> options,
    TimeProvider time, ILogger<Dispatcher> logger) : BackgroundService
{
    /// <summary>How often running jobs are checked for completion without an event.</summary>
    private static readonly TimeSpan CompletionCheckInterval = TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => leadership.RunWhileLeadingAsync(LeadAsync, stoppingToken);

    /// <summary>Dispatch rounds until <paramref name="stoppingToken"/> ends (leadership lost, or shutdown).</summary>
    private async Task LeadAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.DispatchIntervalMilliseconds), time);
        var lastCheck = time.GetTimestamp();
        try
        {
            do
            {
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
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Leadership ended or shutting down, between rounds.
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dispatched {Count} batches")]
    private partial void LogDispatched(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatch round failed; retrying next round")]
    private partial void LogRoundFailed(Exception exception);
}
