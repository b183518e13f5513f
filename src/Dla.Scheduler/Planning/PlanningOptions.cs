using System.ComponentModel.DataAnnotations;

namespace Dla.Scheduler.Planning;

/// <summary>Planning settings (configuration section <c>Scheduler</c>).</summary>
public sealed class PlanningOptions
{
    public const string Section = "Scheduler";

    /// <summary>
    /// Images stored per planning transaction (rounded down to whole batches, at least one). Larger
    /// chunks plan faster; the first batch is stored as soon as it is full regardless.
    /// </summary>
    [Range(1, 1_000_000)]
    public int ListingChunkSize { get; set; } = 5000;
}
