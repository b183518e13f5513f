using System.ComponentModel.DataAnnotations;

namespace Dla.Scheduler.Deletion;

/// <summary>Deleting jobs and keeping them (configuration section <c>Jobs</c>; docs/lifecycle.md).</summary>
public sealed class DeletionOptions
{
    public const string Section = "Jobs";

    /// <summary>Finished jobs (succeeded, failed, cancelled) older than this many days are deleted; 0 keeps them all.</summary>
    [Range(0, 36_500)]
    public int RetainDays { get; set; }

    /// <summary>
    /// Rows removed per statement while purging a job. Each chunk is its own short transaction that locks only the
    /// deleted job's rows, so other jobs' writers never wait on a purge, however large.
    /// </summary>
    [Range(100, 1_000_000)]
    public int PurgeChunkRows { get; set; } = 10_000;

    /// <summary>How often the leader looks for jobs to purge (a deletion made on another replica is seen within this).</summary>
    [Range(1, 3600)]
    public int PurgeIntervalSeconds { get; set; } = 5;
}
