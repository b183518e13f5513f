using System.ComponentModel.DataAnnotations;

namespace Dla.Scheduler.Dispatch;

/// <summary>Dispatch settings (configuration section <c>Scheduler</c>).</summary>
public sealed class DispatchOptions
{
    public const string Section = "Scheduler";

    /// <summary>Pause between dispatch rounds.</summary>
    [Range(10, 60_000)]
    public int DispatchIntervalMilliseconds { get; set; } = 200;

    /// <summary>How long a worker owns a dispatched batch before it is published again.</summary>
    [Range(1, 7 * 24 * 3600)]
    public int LeaseSeconds { get; set; } = 600;

    /// <summary>A batch whose lease expires after this many dispatches becomes failed instead of being published again.</summary>
    [Range(1, 1000)]
    public int MaxDispatches { get; set; } = 5;
}
