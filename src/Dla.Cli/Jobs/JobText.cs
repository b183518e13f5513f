using System.Globalization;
using Dla.Scheduler.Jobs;
using Dla.Scheduler.Progress;

namespace Dla.Cli.Jobs;

/// <summary>How <c>dla jobs</c> and <c>dla status</c> show jobs to a person (<c>--json</c> gives the API's document).</summary>
internal static class JobText
{
    /// <summary>One row per job under a header; the full id, since the other commands take it.</summary>
    public static IEnumerable<string> Table(IReadOnlyList<JobView> jobs)
    {
        var rows = jobs.Select(j => new[]
        {
            j.Id.ToString(), Name(j.State.ToString()), Done(j.Progress, j.ListedImages), j.Priority.ToString(CultureInfo.InvariantCulture),
            j.Model, j.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), j.Dataset,
        }).ToList();
        string[] header = ["ID", "STATE", "DONE", "PRIORITY", "MODEL", "CREATED", "DATASET"];
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Prepend(h.Length).Max()).ToArray();
        // The last column is not padded: a long dataset path runs to the end of the line.
        string Line(string[] cells) => string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i])));
        yield return Line(header);
        foreach (var row in rows)
        {
            yield return Line(row);
        }
    }

    /// <summary>A job as labelled lines: what it runs, how far it is, when, and why it failed.</summary>
    public static IEnumerable<string> Summary(JobView job)
    {
        var p = job.Progress;
        yield return $"job       {job.Id}  {Name(job.State.ToString())}{(job.Tenant is { } t ? $"  (tenant {t})" : "")}";
        yield return $"dataset   {job.Dataset}";
        yield return $"model     {job.Model}, weights {job.Weights ?? "timm's pretrained"}{(job.WeightsSha256 is { Length: > 0 } sha ? $" (sha256 {sha[..12]}…)" : "")}, {job.Precision}, decode {job.Decode}, embeddings {job.EmbeddingPrecision}";
        yield return $"tasks     {string.Join(", ", job.Tasks)}; top-k {job.TopK}; batch size {job.BatchSize}; priority {job.Priority}{(job.LabelCount is { } n ? $"; {n} class names" : "")}";
        if (p is not null)
        {
            var rate = p.ImagesPerSecond > 0 ? $"; {p.ImagesPerSecond:F1} images/s" : "";
            var eta = p.EtaSeconds is { } s && !p.IsFinal ? $", ETA {TimeSpan.FromSeconds(Math.Round(s)):g}" : "";
            yield return $"progress  {p.Succeeded + p.Failed}/{p.Total}{(p.TotalFinal ? "" : "+")} images: {p.Succeeded} succeeded, {p.Failed} failed, {p.Remaining} left{rate}{eta}";
            yield return $"batches   {p.PlannedBatches} planned, {p.FailedBatches} failed";
        }
        var took = job is { StartedAt: { } started, FinishedAt: { } finished } ? $" (took {finished - started:g})" : "";
        yield return $"created   {Time(job.CreatedAt)}; started {Time(job.StartedAt)}; finished {Time(job.FinishedAt)}{took}";
        if (job.FailureReason is { } reason)
        {
            yield return $"reason    {reason}";
        }
        if (p is { Failed: > 0 } || job.State.ToString() is "Failed")
        {
            yield return $"next      dla export {job.Id} -o errors.csv shows each failed image's error; dla retry {job.Id} re-queues the failed work";
        }
    }

    private static string Done(ProgressReport? progress, long listed) =>
        progress is null ? $"?/{listed}" : $"{progress.Succeeded + progress.Failed}/{progress.Total}{(progress.TotalFinal ? "" : "+")}";

    private static string Time(DateTimeOffset? at) => at is { } t ? t.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "-";

    private static string Name(string state) => state.ToLowerInvariant();
}
