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
    public Task RunAsync(Action decode, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled(cancellationToken);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add(() =>
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
        }, CancellationToken.None);
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
