using Dla.Scheduler.Dispatch;
using Microsoft.Extensions.Time.Testing;

namespace Dla.Scheduler.Tests;

/// <summary>The dispatcher's wake-up: a raise ends the wait at once, the interval ends it on the dispatcher's clock.</summary>
public sealed class DispatchSignalTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task A_raise_before_the_wait_ends_it_at_once_and_is_used_up_by_it()
    {
        var signal = new DispatchSignal();
        var time = new FakeTimeProvider();

        signal.Raise();
        var first = signal.WaitAsync(Interval, time, TestContext.Current.CancellationToken);
        var second = signal.WaitAsync(Interval, time, TestContext.Current.CancellationToken);

        Assert.True(first.IsCompletedSuccessfully);
        Assert.False(second.IsCompleted);
        time.Advance(Interval);
        await second;
    }

    [Fact]
    public async Task A_raise_during_the_wait_ends_it_without_the_clock_moving()
    {
        var signal = new DispatchSignal();
        var time = new FakeTimeProvider();

        var waiting = signal.WaitAsync(Interval, time, TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        signal.Raise();

        await waiting;
    }

    [Fact]
    public async Task Without_a_raise_the_wait_lasts_the_interval_on_the_given_clock()
    {
        var signal = new DispatchSignal();
        var time = new FakeTimeProvider();

        var waiting = signal.WaitAsync(Interval, time, TestContext.Current.CancellationToken);
        time.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        await waiting;
    }

    [Fact]
    public async Task Many_raises_between_two_rounds_make_one_round()
    {
        var signal = new DispatchSignal();
        var time = new FakeTimeProvider();

        for (var i = 0; i < 100; i++)
        {
            signal.Raise();
        }
        await signal.WaitAsync(Interval, time, TestContext.Current.CancellationToken);
        var next = signal.WaitAsync(Interval, time, TestContext.Current.CancellationToken);

        Assert.False(next.IsCompleted);
        signal.Raise();
        await next;
    }

    [Fact]
    public async Task Stopping_ends_the_wait_with_a_cancellation()
    {
        var signal = new DispatchSignal();
        using var stopping = new CancellationTokenSource();

        var waiting = signal.WaitAsync(Interval, new FakeTimeProvider(), stopping.Token);
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }
}
