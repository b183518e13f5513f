using System.Collections.Concurrent;

namespace Dla.Modeling.Prediction;

/// <summary>
/// A fixed set of threads that decode images for every pipeline of a process, first come first served.
/// Decoding is synchronous CPU work: run on the .NET thread pool by several pipelines at once (a worker runs two
/// batch messages, each decoding a few inference batches ahead), it blocked pool threads, the pool injected more,
/// and eight threads time-sliced two cores, each evicting the others' 3 MB pixel buffers from the caches. Here at
/// most <see cref="Count"/> images decode at once, however many pipelines ask, and the thread pool stays free for
/// reads, the database and the bus.
/// </summary>
public sealed class DecodeThreads : IDisposable
{
    private static readonly Lazy<DecodeThreads> s_shared = new(() => new DecodeThreads(0));
    private readonly BlockingCollection<Action> _queue = new(new ConcurrentQueue<Action>());

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

    /// <summary>
    /// Runs <paramref name="decode"/> on a decode thread once the work queued before it has started. The returned task
    /// completes on the thread pool, never on a decode thread, so callers' continuations do not take decoding's cores.
    /// </summary>
    public Task RunAsync(Action decode, CancellationToken cancellationToken) => RunAllAsync(1, _ => decode(), cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/>(0) … <paramref name="work"/>(<paramref name="count"/> − 1) on the decode threads, in
    /// that order after the work queued before them. The returned task completes on the thread pool once every call has
    /// run, or been skipped because <paramref name="cancellationToken"/> was cancelled first; the first exception thrown
    /// faults it and the other calls still run. A batch of images thus costs the thread pool one work item, not one each.
    /// </summary>
    public Task RunAllAsync(int count, Action<int> work, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled(cancellationToken);
        if (count == 0)
            return Task.CompletedTask;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var remaining = count;
        Exception? failure = null;
        var skipped = false;
        for (var i = 0; i < count; i++)
        {
            var index = i;
            _queue.Add(() =>
            {
                try
                {
                    if (cancellationToken.IsCancellationRequested)
                        skipped = true;
                    else
                        work(index);
                }
                catch (Exception ex)
                {
                    Interlocked.CompareExchange(ref failure, ex, null);
                }
                if (Interlocked.Decrement(ref remaining) > 0)
                    return;
                if (failure is not null)
                    done.TrySetException(failure);
                else if (Volatile.Read(ref skipped))
                    done.TrySetCanceled(cancellationToken);
                else
                    done.TrySetResult();
            }, CancellationToken.None);
        }
        return done.Task;
    }

    /// <summary>Lets the threads end once the queued work is done; nothing may be queued afterwards.</summary>
    public void Dispose() => _queue.CompleteAdding();

    private void Work()
    {
        foreach (var decode in _queue.GetConsumingEnumerable())
        {
            decode();
        }
    }
}
