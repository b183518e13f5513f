using System.Collections.Concurrent;
using Dla.Persistence.Database;
using Microsoft.EntityFrameworkCore;

namespace Dla.Worker.Batches;

/// <summary>
/// A job's class names (<c>labels</c> at submission), read once per job and kept for its next batches; they
/// name the top-k classes this worker stores. Checked against the opened model's classifier: a mismatch the
/// scheduler could not see (hub, blob or local weights, ONNX files) fails the batch without retries.
/// </summary>
public sealed class JobClassNames(IDlaDbContextFactory databases)
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
            var text = await db.Jobs.AsNoTracking().Where(j => j.Id == jobId).Select(j => j.Labels).FirstOrDefaultAsync(cancellationToken);
            names = text?.Split('\n');
            if (_names.Count >= Remembered)
            {
                _names.Clear();
            }
            _names[jobId] = names;
        }
        return names is null || names.Count == classes ? names : throw new LabelsMismatchException(jobId, names.Count, classes);
    }
}

/// <summary>A job's class names do not fit its model's classifier; deterministic, so the batch is not retried.</summary>
public sealed class LabelsMismatchException(Guid jobId, int names, int classes)
    : Exception($"labels_mismatch: job {jobId} gives {names} class names, but its model's classifier has {classes} classes.");
