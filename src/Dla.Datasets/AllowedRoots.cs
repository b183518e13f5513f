namespace Dla.Datasets;

/// <summary>
/// Confinement of a local path to configured root folders (<c>Datasets:AllowedRoots</c>,
/// <c>Models:AllowedRoots</c>): the one place that decides whether a path a request names may be touched.
/// </summary>
public static class AllowedRoots
{
    /// <summary>
    /// True when <paramref name="path"/> (absolute) lies under one of <paramref name="roots"/>. The text is
    /// checked first, '..' normalised, so a path outside every root is refused without touching the file
    /// system; then every symbolic link along it is resolved and the check repeated, so a link inside a
    /// root cannot lead out of it.
    /// </summary>
    /// <exception cref="IOException">The links along the path form a loop.</exception>
    public static bool Contains(IReadOnlyCollection<string> roots, string path)
    {
        if (roots.Count == 0 || !Path.IsPathFullyQualified(path))
        {
            return false;
        }
        var canonicalRoots = roots.Select(r => RealPath.Of(r) ?? Path.GetFullPath(r)).ToList();
        var full = Path.GetFullPath(path);
        if (!canonicalRoots.Any(root => RealPath.IsUnder(full, root)) && !roots.Any(root => RealPath.IsUnder(full, Path.GetFullPath(root))))
        {
            return false;
        }
        var canonical = RealPath.Resolve(full);
        return canonicalRoots.Any(root => RealPath.IsUnder(canonical, root));
    }
}
