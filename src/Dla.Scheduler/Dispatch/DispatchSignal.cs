namespace Dla.Scheduler.Dispatch;

/// <summary>
/// Asks the <see cref="Dispatcher"/> for a round now instead of at its next tick: raised when the planner stored new
/// batches, when failed work was planned again, and when a worker stored a batch (a queue slot is free). A hint only:
/// the dispatcher still runs a round every <see cref="DispatchOptions.DispatchIntervalMilliseconds"/> for what raises
/// no signal (expired leases, an event consumed by a replica that does not lead), so a lost signal costs latency, never
/// a batch. Any number of raises before the next round make one round.
/// </summary>
public sealed class DispatchSignal
{
    private TaskCompletionSource _raised = NewSource();

    /// <summary>Requests a dispatch round. Call it after the change it is about is committed.</summary>
    public void Raise() => Volatile.Read(ref _raised).TrySetResult();

    /// <summary>
    /// Waits until a raise or until <paramref name="timeout"/> has passed on <paramref name="time"/>, whichever is
    /// first, and clears the raise it saw: one raised after this returns, whose change the coming round may not see,
    /// makes another round.
    /// </summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var raised = Volatile.Read(ref _raised);
        if (!raised.Task.IsCompleted && timeout > TimeSpan.Zero)
        {
            using var stopDelay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(raised.Task, Task.Delay(timeout, time, stopDelay.Token));
            await stopDelay.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
        if (raised.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _raised, NewSource(), raised);
        }
    }

    // Asynchronous continuations: Raise runs inside a consumer or the planner, which must not run the round itself.
    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
