using Dla.Scheduler.Dispatch;

namespace Dla.Scheduler.Tests;

/// <summary>The fair-share policy alone, including docs/scheduling.md's worked example.</summary>
public sealed class FairShareTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;

    private sealed record Work(Guid JobId, int Images);

    [Fact]
    public void Jobs_with_work_are_given_images_in_the_ratio_of_their_priorities_whatever_their_batch_sizes()
    {
        var share = new FairShare();
        var a = new FairShare.Tenant(Guid.NewGuid(), 10, T0);
        var b = new FairShare.Tenant(Guid.NewGuid(), 30, T0.AddSeconds(1));
        // a's batches hold 32 images, b's 8: b still gets three times a's images.
        var sizes = new Dictionary<Guid, int> { [a.JobId] = 32, [b.JobId] = 8 };

        var given = Run(share, [a, b], sizes, rounds: 250, slots: 4);

        Assert.InRange((double)given[b.JobId] / given[a.JobId], 2.9, 3.1);
    }

    [Fact]
    public void A_job_that_arrives_late_is_served_at_once_but_gets_no_credit_for_the_time_before()
    {
        var share = new FairShare();
        var large = new FairShare.Tenant(Guid.NewGuid(), 10, T0);
        var sizes = new Dictionary<Guid, int> { [large.JobId] = 32 };
        Run(share, [large], sizes, rounds: 1000, slots: 4);

        var small = new FairShare.Tenant(Guid.NewGuid(), 10, T0.AddHours(1));
        sizes[small.JobId] = 32;
        var next = share.Pick([large, small], 2, id => new Work(id, sizes[id]), w => w.Images, _ => true);

        // One slot each: the small job is not starved, and the large one is not starved to pay back its head start.
        Assert.Equal([large.JobId, small.JobId], next.Select(w => w.JobId));
        var later = Run(share, [large, small], sizes, rounds: 100, slots: 4);
        Assert.InRange((double)later[small.JobId] / later[large.JobId], 0.95, 1.05);
    }

    [Fact]
    public void A_job_without_planned_work_is_skipped_and_a_priority_change_applies_from_the_next_slot()
    {
        var share = new FairShare();
        var a = new FairShare.Tenant(Guid.NewGuid(), 10, T0);
        var b = new FairShare.Tenant(Guid.NewGuid(), 10, T0.AddSeconds(1));
        var sizes = new Dictionary<Guid, int> { [a.JobId] = 10, [b.JobId] = 10 };

        var idle = share.Pick([a, b], 4, id => id == a.JobId ? new Work(id, 10) : null, w => w.Images, id => id == a.JobId);
        Assert.All(idle, w => Assert.Equal(a.JobId, w.JobId));
        Assert.Equal(4, idle.Count);

        var raised = Run(share, [a, b with { Priority = 40 }], sizes, rounds: 100, slots: 5);
        Assert.InRange((double)raised[b.JobId] / raised[a.JobId], 3.5, 4.5);
    }

    private static Dictionary<Guid, long> Run(FairShare share, FairShare.Tenant[] jobs, Dictionary<Guid, int> sizes, int rounds, int slots)
    {
        var given = jobs.ToDictionary(j => j.JobId, _ => 0L);
        for (var round = 0; round < rounds; round++)
        {
            foreach (var work in share.Pick(jobs, slots, id => new Work(id, sizes[id]), w => w.Images, _ => true))
            {
                given[work.JobId] += work.Images;
            }
        }
        return given;
    }
}
