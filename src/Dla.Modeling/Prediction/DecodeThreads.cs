namespace Dla.Modeling.Prediction;

/// <summary>
/// A fixed set of threads that decode images for every pipeline of a process, the oldest batch first.
/// Decoding is synchronous CPU work: run on the .NET thread pool by several pipelines at once (a worker runs two
/// batch messages, each decoding a few inference batches ahead), it blocked pool threads, the pool injected more,
/// and eight threads time-sliced two cores, each evicting the others' 3 MB pixel buffers from the caches. Here at
/// most <see cref="Count"/> images decode at once, however many pipelines ask, and the thread pool stays free for
/// reads, the database and the bus.
/// <para>Work runs in the order of its ticket (<see cref="NextTicket"/>), first come first served within one: a pipeline
/// takes a ticket per inference batch, so the batch started first is decoded first. Served first come first served, two
/// batch messages started together decoded side by side, finished decoding together, and both then ran their last
/// inference, their write and the next message's start while the decode threads had nothing to do: 5–20 ms in every
/// 175 ms in the embedded run (docs/benchmarks.md, "Session 18"). Oldest first, one message's end overlaps the other's
/// decoding.</para>
/// </summary>
public sealed class DecodeThreads : IDisposable
{
    private static readonly Lazy<DecodeThreads> s_shared = new(() => new DecodeThreads(0));

    // Guarded by its own lock; decode threads wait on it (Monitor) while it is empty.
    private readonly PriorityQueue<Action, (long Ticket, long Arrival)> _queue = new();
    private long _arrivals;
    private long _tickets;
    private bool _completed;

    /// <summary>Starts <paramref name="count"/> decode threads; 0 starts one per core.</summary>
    public DecodeThreads(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Count = count > 0 ? count : Environment.ProcessorCount;
        for (var i = 0; i < Count; i++)
        {
            new Thread(Work) { IsBackground = true, Name = $"dla-decode-{i}" }.Start();
        }
    }

    /// <summary>One thread per core, for processes with a single owner of the cores (<c>dla predict</c>, tests).</summary>
    public static DecodeThreads Shared => s_shared.Value;

    /// <summary>Images decoded at once.</summary>
    public int Count { get; }

    /// <summary>A place in the decode order, after every ticket taken before: take one per batch, before queuing its images.</summary>
    public long NextTicket() => Interlocked.Increment(ref _tickets);

    /// <summary>Runs <paramref name="decode"/> on a decode thread after the work queued before it (a ticket of its own).</summary>
    public Task RunAsync(Action decode, CancellationToken cancellationToken) => RunAsync(decode, NextTicket(), cancellationToken);

    /// <summary>
    /// Runs <paramref name="decode"/> on a decode thread once no work of an earlier <paramref name="ticket"/>, nor of the
    /// same one queued before it, is waiting. The returned task completes on the thread pool, never on a decode thread, so
    /// callers' continuations do not take decoding's cores.
    /// </summary>
    public Task RunAsync(Action decode, long ticket, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled(cancellationToken);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(() =>
        {
            if (cancellationToken.IsCancellationRequested)
            {
                done.TrySetCanceled(cancellationToken);
                return;
            }
            try
            {
                decode();
                done.TrySetResult();
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        }, ticket);
        return done.Task;
    }

    /// <summary>Lets the threads end once the queued work is done; nothing may be queued afterwards.</summary>
    public void Dispose()
    {
        lock (_queue)
        {
            _completed = true;
            Monitor.PulseAll(_queue);
        }
    }

    private void Enqueue(Action work, long ticket)
    {
        lock (_queue)
        {
            ObjectDisposedException.ThrowIf(_completed, this);
            _queue.Enqueue(work, (ticket, ++_arrivals));
            Monitor.Pulse(_queue);
        }
    }

    private void Work()
    {
        while (true)
        {
            Action work;
            lock (_queue)
            {
                while (!_queue.TryDequeue(out work!, out _))
                {
                    if (_completed)
                        return;
                    Monitor.Wait(_queue);
                }
            }
            work();
        }
    }
}
