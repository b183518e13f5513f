using Dla.Modeling.Prediction;

namespace Dla.Modeling.Tests.Prediction;

/// <summary>The decode threads bound how many images decode at once, whoever asks, serve the oldest batch first, and hand results back off their threads.</summary>
public sealed class DecodeThreadsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task No_more_than_Count_decodes_run_at_once_however_many_are_queued()
    {
        using var decoders = new DecodeThreads(2);
        using var gate = new ManualResetEventSlim();
        int running = 0, mostAtOnce = 0, started = 0;
        var work = Enumerable.Range(0, 8).Select(_ => decoders.RunAsync(() =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref mostAtOnce, now);
            Interlocked.Increment(ref started);
            gate.Wait(Patience);
            Interlocked.Decrement(ref running);
        }, TestContext.Current.CancellationToken)).ToList();

        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref started) == 2, Patience), "two decodes should have started");
        Assert.Equal(2, Volatile.Read(ref running));
        Assert.All(work, task => Assert.False(task.IsCompleted));
        gate.Set();
        await Task.WhenAll(work);

        Assert.Equal(8, started);
        Assert.Equal(2, mostAtOnce);
    }

    [Fact]
    public async Task A_decode_error_faults_its_own_task_with_that_error_and_the_threads_go_on()
    {
        using var decoders = new DecodeThreads(1);

        var failed = decoders.RunAsync(() => throw new InvalidDataException("not an image"), TestContext.Current.CancellationToken);
        var next = decoders.RunAsync(() => { }, TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => failed);
        Assert.Equal("not an image", error.Message);
        await next;
    }

    [Fact]
    public async Task Work_cancelled_while_queued_never_runs()
    {
        using var decoders = new DecodeThreads(1);
        using var gate = new ManualResetEventSlim();
        using var cancellation = new CancellationTokenSource();
        var ran = false;
        var blocking = decoders.RunAsync(() => gate.Wait(Patience), TestContext.Current.CancellationToken);
        var queued = decoders.RunAsync(() => ran = true, cancellation.Token);

        await cancellation.CancelAsync();
        gate.Set();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        await blocking;
        Assert.False(ran);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => decoders.RunAsync(() => ran = true, cancellation.Token));
        Assert.False(ran);
    }

    [Fact]
    public async Task Queued_work_runs_in_ticket_order_and_in_arrival_order_within_a_ticket()
    {
        using var decoders = new DecodeThreads(1);
        using var gate = new ManualResetEventSlim();
        var order = new List<string>();
        var blocking = decoders.RunAsync(() => gate.Wait(Patience), TestContext.Current.CancellationToken);
        var older = decoders.NextTicket();
        var newer = decoders.NextTicket();
        // Queued while the one thread is busy: the newer batch's images first, as a second pipeline's reads may land.
        var work = new[] { ("newer 0", newer), ("older 0", older), ("newer 1", newer), ("older 1", older) }
            .Select(item => decoders.RunAsync(() => order.Add(item.Item1), item.Item2, TestContext.Current.CancellationToken)).ToList();

        gate.Set();
        await Task.WhenAll([blocking, .. work]);

        Assert.Equal(["older 0", "older 1", "newer 0", "newer 1"], order);
    }

    [Fact]
    public async Task Work_without_a_ticket_runs_first_come_first_served()
    {
        using var decoders = new DecodeThreads(1);
        using var gate = new ManualResetEventSlim();
        var order = new List<int>();
        var blocking = decoders.RunAsync(() => gate.Wait(Patience), TestContext.Current.CancellationToken);
        var work = Enumerable.Range(0, 5).Select(i => decoders.RunAsync(() => order.Add(i), TestContext.Current.CancellationToken)).ToList();

        gate.Set();
        await Task.WhenAll([blocking, .. work]);

        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    [Fact]
    public async Task Disposed_threads_finish_the_queued_work_and_refuse_more()
    {
        var decoders = new DecodeThreads(1);
        using var gate = new ManualResetEventSlim();
        var ran = 0;
        var blocking = decoders.RunAsync(() => gate.Wait(Patience), TestContext.Current.CancellationToken);
        var queued = decoders.RunAsync(() => Interlocked.Increment(ref ran), TestContext.Current.CancellationToken);

        decoders.Dispose();
        gate.Set();
        await Task.WhenAll(blocking, queued);

        Assert.Equal(1, ran);
        Assert.Throws<ObjectDisposedException>(() => { _ = decoders.RunAsync(() => { }, TestContext.Current.CancellationToken); });
    }

    [Fact]
    public async Task Callers_continue_on_the_thread_pool_not_on_a_decode_thread()
    {
        using var decoders = new DecodeThreads(1);
        string? decodedOn = null;

        await decoders.RunAsync(() => decodedOn = Thread.CurrentThread.Name, TestContext.Current.CancellationToken);

        Assert.Equal("dla-decode-0", decodedOn);
        Assert.True(Thread.CurrentThread.IsThreadPoolThread);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
