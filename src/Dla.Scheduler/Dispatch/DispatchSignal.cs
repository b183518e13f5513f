namespace Dla.Scheduler.Dispatch;

/// <summary>
/// Asks the <see cref="Dispatcher"/> for a round now instead of at its next tick: raised when the planner stored new
/// batches and when a worker stored one (a queue slot is free). A hint only: the timer still runs every
/// <see cref="DispatchOptions.DispatchIntervalMilliseconds"/> for what raises no signal (expired leases, a replica
/// that consumed the event but does not lead), so a lost signal only costs latency. Several raises before the
/// next round make one round.
/// </summary>
public sealed class DispatchSignal : IDisposable
{
    private readonly SemaphoreSlim _raised = new(0, 1);
    private int _pending;

    /// <summary>Requests a dispatch round. Call it after the change it is about is committed.</summary>
    public void Raise()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            _raised.Release();
        }
    }

    /// <summary>Waits for a raise or <paramref name="timeout"/>, whichever comes first.</summary>
    internal async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (await _raised.WaitAsync(timeout, cancellationToken))
        {
            // Cleared before the round starts: a raise from now on, whose change the round may not see, makes another round.
            Volatile.Write(ref _pending, 0);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _raised.Dispose();
}
