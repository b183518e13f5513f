using System.Text.Json;
using Dla.Datasets;
using Dla.Datasets.ModelFiles;
using Dla.Modeling.Architecture;
using Dla.Modeling.Labels;
using Dla.Modeling.Models;

namespace Dla.Scheduler.Jobs;

/// <summary>
/// Reads a submission's <c>labels</c>: an inline list, or a file with one name per line from an allowed local
/// folder or blob container (<see cref="ModelReferenceCheck"/>'s rules). The names replace ImageNet's in
/// top-k, the database and exports. Their count is checked here where the classifier's size is known at
/// submission (a variant's pretrained head, random weights, a local or blob safetensors checkpoint's header); a
/// worker checks the others (hub weights, ONNX files) when it opens the model, and fails the batch without retrying.
/// </summary>
public sealed class JobLabels(ModelReferenceCheck files, ModelBlobStore blobs)
{
    /// <summary>Most class names a job may have.</summary>
    public const int MaxNames = 100_000;

    /// <summary>Longest class name.</summary>
    public const int MaxNameLength = 256;

    /// <summary>Largest class-names file read.</summary>
    public const int MaxFileBytes = 4 << 20;

    private static readonly string[] TextFiles = [".txt"];

    /// <summary>
    /// The names, or null when the request gives none. <paramref name="checkpointClasses"/>: the classifier size read
    /// from the weights file's header at submission, when it was one.
    /// </summary>
    /// <exception cref="JobValidationException">The labels are malformed, unreadable, or their count differs from the classifier's.</exception>
    public async Task<IReadOnlyList<string>?> ReadAsync(JobRequest request, int? checkpointClasses, CancellationToken cancellationToken)
    {
        if (request.Labels is not { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } labels)
        {
            return null;
        }
        var names = labels.ValueKind switch
        {
            JsonValueKind.Array => labels.EnumerateArray().Select(n => n.ValueKind == JsonValueKind.String ? n.GetString()! : throw Invalid("Every class name must be a string.")).ToList(),
            JsonValueKind.String => Lines(await ReadFileAsync(labels.GetString()!, cancellationToken)),
            _ => throw Invalid("Give a list of class names, or a file with one name per line (a path under Models:AllowedRoots or azure://container/names.txt)."),
        };
        if (names.Count is 0 or > MaxNames)
        {
            throw Invalid($"Give between 1 and {MaxNames} class names ({names.Count} given).");
        }
        if (names.FirstOrDefault(n => n.Trim().Length == 0 || n.Length > MaxNameLength || n.Contains('\n', StringComparison.Ordinal)) is { } bad)
        {
            throw Invalid($"Class names must be non-empty single lines of at most {MaxNameLength} characters ('{Shorten(bad)}' is not).");
        }
        if ((checkpointClasses ?? KnownClassCount(request)) is { } classes && classes != names.Count)
        {
            throw Invalid($"{names.Count} class names were given, but the classifier has {classes} classes.");
        }
        return names;
    }

    /// <summary>The classifier size when it is known without reading weights: a variant's pretrained head (ImageNet) or random weights.</summary>
    private static int? KnownClassCount(JobRequest request)
    {
        if (string.Equals(request.Weights, ModelRequest.RandomWeights, StringComparison.OrdinalIgnoreCase))
        {
            return request.NumClasses ?? ImageNetLabels.ClassCount;
        }
        return request.Weights is null && request.Model is { } model && DlaVariants.Find(model) is not null ? ImageNetLabels.ClassCount : null;
    }

    private async Task<string> ReadFileAsync(string reference, CancellationToken cancellationToken)
    {
        if (ModelBlobReference.IsBlob(reference))
        {
            if (files.BlobProblem(reference, TextFiles) is { } blobProblem)
            {
                throw Invalid(blobProblem);
            }
            try
            {
                return await blobs.ReadTextAsync(ModelBlobReference.Parse(reference, TextFiles), MaxFileBytes, cancellationToken);
            }
            catch (DatasetAccessException ex)
            {
                throw Invalid(ex.Message);
            }
        }
        if (files.LocalFileProblem(reference, "Labels file") is { } problem)
        {
            throw Invalid(problem);
        }
        if (new FileInfo(reference).Length > MaxFileBytes)
        {
            throw Invalid($"Labels file '{reference}' is larger than {MaxFileBytes} bytes.");
        }
        return await File.ReadAllTextAsync(reference, cancellationToken);
    }

    /// <summary>One name per line; line ends of any platform, trailing blank lines ignored.</summary>
    private static List<string> Lines(string text) =>
        text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').Select(l => l.Trim()).ToList();

    private static string Shorten(string name) => name.Length <= 40 ? name.ReplaceLineEndings(" ") : name[..40] + "…";

    private static JobValidationException Invalid(string message) => new(new Dictionary<string, string[]> { ["labels"] = [message] });
}
