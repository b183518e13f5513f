namespace Dla.Datasets;

/// <summary>
/// Walks a folder depth-first with each directory's entries in ordinal order, so a listing is
/// deterministic (equal to ordering the relative paths segment by segment) and resumable by position.
/// Only one directory's entries are held at a time.
/// </summary>
/// <remarks>
/// Symbolic links: a linked file is kept only when its canonical target lies under the root, so a
/// link cannot expose files elsewhere. Linked directories are never followed: one inside the root is
/// listed at its real place anyway, and following links would risk cycles and duplicates.
/// </remarks>
internal static class LocalFolderListing
{
    public static IEnumerable<string> List(string root, Func<string, bool> keep, CancellationToken cancellationToken)
    {
        var canonicalRoot = RealPath.Of(root) ?? throw new DirectoryNotFoundException($"Dataset folder '{root}' does not exist.");
        if (!Directory.Exists(canonicalRoot))
        {
            throw new DirectoryNotFoundException($"Dataset '{root}' is not a folder.");
        }
        return Walk(new DirectoryInfo(root), "", canonicalRoot, keep, cancellationToken);
    }

    private static IEnumerable<string> Walk(DirectoryInfo directory, string relative, string canonicalRoot, Func<string, bool> keep, CancellationToken cancellationToken)
    {
        var entries = directory.EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = true, AttributesToSkip = 0 })
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = relative.Length == 0 ? entry.Name : $"{relative}/{entry.Name}";
            if (entry.LinkTarget is not null)
            {
                if (entry is FileInfo && keep(entry.Name) && RealPath.Of(entry.FullName) is { } target
                    && File.Exists(target) && RealPath.IsUnder(target, canonicalRoot))
                {
                    yield return path;
                }
            }
            else if (entry is DirectoryInfo subdirectory)
            {
                foreach (var nested in Walk(subdirectory, path, canonicalRoot, keep, cancellationToken))
                {
                    yield return nested;
                }
            }
            else if (keep(entry.Name))
            {
                yield return path;
            }
        }
    }
}
