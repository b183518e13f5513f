namespace Dla.Datasets.ModelFiles;

/// <summary>
/// A model file in blob storage, <c>azure://container/path.safetensors</c> (weights) or <c>.onnx</c> (a whole
/// model), read with the same account and credential as blob datasets.
/// </summary>
public sealed record ModelBlobReference(string Container, string Name)
{
    /// <summary>File types a blob model reference may name.</summary>
    public static readonly string[] Extensions = [".safetensors", ".onnx"];

    /// <summary>True when <paramref name="reference"/> is written as a blob (it may still be malformed).</summary>
    public static bool IsBlob(string? reference) => reference?.StartsWith(DatasetLocation.AzureScheme, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Parses <c>azure://container/name.safetensors</c> or <c>.onnx</c>.</summary>
    /// <exception cref="ArgumentException">The container name is invalid, the name is missing, or it is neither file type.</exception>
    public static ModelBlobReference Parse(string reference) => Parse(reference, Extensions);

    /// <summary>Parses <c>azure://container/name</c> where the name ends with one of <paramref name="extensions"/> (lowercase, with the dot).</summary>
    /// <exception cref="ArgumentException">The container name is invalid, the name is missing, or its type is not one of them.</exception>
    public static ModelBlobReference Parse(string reference, IReadOnlyCollection<string> extensions)
    {
        var location = DatasetLocation.Parse(reference);
        if (location.Prefix.Length == 0 || location.Prefix.EndsWith('/'))
        {
            throw new ArgumentException($"'{reference}' names no file: write azure://container/path/model.safetensors (or .onnx).");
        }
        if (!extensions.Contains(Path.GetExtension(location.Prefix).ToLowerInvariant()))
        {
            throw new ArgumentException($"'{reference}' is not a {string.Join(" or ", extensions)} file.");
        }
        return new ModelBlobReference(location.Root, location.Prefix);
    }

    /// <summary>The file type, lowercase with the dot.</summary>
    public string Extension => Path.GetExtension(Name).ToLowerInvariant();

    /// <inheritdoc />
    public override string ToString() => $"{DatasetLocation.AzureScheme}{Container}/{Name}";
}
