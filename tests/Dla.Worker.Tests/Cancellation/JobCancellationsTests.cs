using Dla.Worker.Cancellation;

namespace Dla.Worker.Tests.Cancellation;

public sealed class JobCancellationsTests
{
    [Fact]
    public void Cancelling_a_job_cancels_its_in_flight_batches_only()
    {
        var cancellations = new JobCancellations();
        var job = Guid.NewGuid();
        using var first = cancellations.Track(job, CancellationToken.None);
        using var second = cancellations.Track(job, CancellationToken.None);
        using var other = cancellations.Track(Guid.NewGuid(), CancellationToken.None);

        cancellations.Cancel(job);

        Assert.True(first.Token.IsCancellationRequested && first.IsJobCancelled);
        Assert.True(second.Token.IsCancellationRequested && second.IsJobCancelled);
        Assert.False(other.Token.IsCancellationRequested || other.IsJobCancelled);
    }

    [Fact]
    public void A_batch_that_starts_after_the_event_is_not_cancelled_by_it()
    {
        // The database decides for later batches: retry-failed may have resumed the job since.
        var cancellations = new JobCancellations();
        var job = Guid.NewGuid();
        cancellations.Cancel(job);

        using var late = cancellations.Track(job, CancellationToken.None);

        Assert.False(late.IsJobCancelled);
    }

    [Fact]
    public void Stopping_the_worker_cancels_the_batch_without_calling_the_job_cancelled()
    {
        using var stopping = new CancellationTokenSource();
        using var lease = new JobCancellations().Track(Guid.NewGuid(), stopping.Token);

        stopping.Cancel();

        Assert.True(lease.Token.IsCancellationRequested);
        Assert.False(lease.IsJobCancelled);
    }

    [Fact]
    public void A_cancellation_after_the_batch_ended_is_harmless()
    {
        var cancellations = new JobCancellations();
        var job = Guid.NewGuid();
        cancellations.Track(job, CancellationToken.None).Dispose();

        cancellations.Cancel(job);
    }
}
