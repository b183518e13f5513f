using System.Collections.Concurrent;
using Dla.Modeling.Weights;
using Dla.Persistence.Database;
using Microsoft.EntityFrameworkCore;

namespace Dla.Worker.Batches;

/// <summary>
/// A job's class names, read once per job and kept for its next batches; they name the top-k classes this
/// worker stores. The job's <c>labels</c> (from the submission) come first; without them, weights from a hub
/// repository bring timm's <c>label_names</c> from its config.json when it has them. Checked against the
/// opened model's classifier: the job's own labels not fitting (hub, blob or local weights, ONNX files, which the
/// scheduler could not check) fail the batch without retries; hub names that do not fit are ignored.
/// </summary>
public sealed partial class JobClassNames(IDlaDbContextFactory databases, HuggingFaceHub hub, ILogger<JobClassNames> logger)
{
    /// <summary>Jobs remembered at once; a worker serves few jobs at a time, and a forgotten one is read again.</summary>
    private const int Remembered = 64;

    private readonly ConcurrentDictionary<Guid, IReadOnlyList<string>?> _names = new();

    /// <summary>The job's names, or null for ImageNet's (or <c>class_N</c>).</summary>
    /// <exception cref="LabelsMismatchException">The job gives a different number of names than <paramref name="classes"/>.</exception>
    public async Task<IReadOnlyList<string>?> GetAsync(Guid jobId, int classes, CancellationToken cancellationToken)
    {
        if (!_names.TryGetValue(jobId, out var names))
        {
            await using var db = await databases.CreateAsync(cancellationToken);
            var job = await db.Jobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => new { j.Labels, j.Weights }).FirstOrDefaultAsync(cancellationToken);
            names = job?.Labels?.Split('\n') ?? await HubNamesAsync(job?.Weights, classes, cancellationToken);
            if (_names.Count >= Remembered)
            {
                _names.Clear();
            }
            _names[jobId] = names;
        }
        return names is null || names.Count == classes ? names : throw new LabelsMismatchException(jobId, names.Count, classes);
    }

    /// <summary>timm's label_names of a hub repository, when the weights come from one and the names fit the classifier.</summary>
    private async Task<IReadOnlyList<string>?> HubNamesAsync(string? weights, int classes, CancellationToken cancellationToken)
    {
        if (weights is null || !HubWeightsReference.IsHubReference(weights) || !HubWeightsReference.TryParse(weights, out var reference))
        {
            return null;
        }
        var names = await hub.ReadLabelNamesAsync(reference, cancellationToken);
        if (names is not null && names.Count != classes)
        {
            LogHubNamesIgnored(logger, reference.ToString(), names.Count, classes);
            return null;
        }
        return names;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Repository} lists {Names} label_names for a classifier of {Classes} classes; its names are not used")]
    private static partial void LogHubNamesIgnored(ILogger logger, string repository, int names, int classes);
}

/// <summary>A job's class names do not fit its model's classifier; deterministic, so the batch is not retried.</summary>
public sealed class LabelsMismatchException(Guid jobId, int names, int classes)
    : Exception($"labels_mismatch: job {jobId} gives {names} class names, but its model's classifier has {classes} classes.");
