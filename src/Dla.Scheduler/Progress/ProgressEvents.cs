using System.Runtime.CompilerServices;
using Dla.Scheduler.Jobs;

namespace Dla.Scheduler.Progress;

/// <summary>The progress of a job once a second until it is final (the last report is the final one).</summary>
public static class ProgressEvents
{
    /// <summary>Time between reports.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Streams reports; ends after the first final one, or when the caller goes away.</summary>
    public static async IAsyncEnumerable<ProgressReport> StreamAsync(JobService jobs, Guid jobId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var report = await jobs.GetProgressAsync(jobId, cancellationToken);
            yield return report;
            if (report.IsFinal)
            {
                yield break;
            }
            await Task.Delay(Interval, cancellationToken);
        }
    }
}
