namespace Dla.Datasets;

/// <summary>
/// Where a dataset's images live: a local folder, or an Azure Blob Storage container with an
/// optional prefix written <c>azure://container/prefix</c>. Image paths are relative to it.
/// </summary>
/// <param name="Kind">Local folder or blob container.</param>
/// <param name="Root">The absolute folder, or the container name.</param>
/// <param name="Prefix">Blob name prefix (empty for a whole container or a folder).</param>
public sealed record DatasetLocation(DatasetKind Kind, string Root, string Prefix)
{
    /// <summary>Scheme of blob datasets.</summary>
    public const string AzureScheme = "azure://";

    /// <summary>Parses <c>azure://container[/prefix]</c> or a folder path.</summary>
    /// <exception cref="ArgumentException">The text is empty or the container name is invalid.</exception>
    public static DatasetLocation Parse(string dataset)
    {
        if (string.IsNullOrWhiteSpace(dataset))
        {
            throw new ArgumentException("A dataset is required: a folder or azure://container/prefix.");
        }
        if (!dataset.StartsWith(AzureScheme, StringComparison.OrdinalIgnoreCase))
        {
            return new DatasetLocation(DatasetKind.LocalFolder, Path.GetFullPath(dataset), "");
        }
        var rest = dataset[AzureScheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var container = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..];
        if (container.Length is < 3 or > 63 || !container.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new ArgumentException($"'{container}' is not a valid blob container name (3–63 lowercase letters, digits or hyphens).");
        }
        return new DatasetLocation(DatasetKind.BlobContainer, container, prefix);
    }

    /// <inheritdoc />
    public override string ToString() => Kind == DatasetKind.LocalFolder ? Root : $"{AzureScheme}{Root}/{Prefix}";
}

/// <summary>The two kinds of image source.</summary>
public enum DatasetKind
{
    /// <summary>A folder on the local file system (searched recursively).</summary>
    LocalFolder,

    /// <summary>An Azure Blob Storage container (Azurite locally), optionally under a prefix.</summary>
    BlobContainer,
}
