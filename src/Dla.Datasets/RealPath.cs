namespace Dla.Datasets;

/// <summary>
/// The canonical path of a file (what <c>realpath(3)</c> returns): every symbolic link along the
/// path resolved, so a confinement check cannot be bypassed by a link inside the root pointing out
/// of it. <see cref="Path.GetFullPath(string)"/> alone only normalises the text.
/// </summary>
internal static class RealPath
{
    /// <summary>Links followed before giving up (Linux's MAXSYMLINKS).</summary>
    private const int MaxLinks = 40;

    /// <summary>Resolves <paramref name="path"/>; components that do not exist are kept as they are.</summary>
    /// <exception cref="IOException">The links form a loop.</exception>
    public static string Resolve(string path)
    {
        var links = 0;
        return Resolve(Path.GetFullPath(path), ref links);
    }

    /// <summary>
    /// Resolves <paramref name="relativePath"/> ('/'-separated, without <c>..</c>) below <paramref name="canonicalRoot"/>, a
    /// path <see cref="Resolve(string)"/> returned: what <see cref="Resolve(string)"/> of the two combined returns, without
    /// examining the root's own components again (a dataset's images are read below one root, thousands of times).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="relativePath"/> has a <c>..</c> segment.</exception>
    /// <exception cref="IOException">The links form a loop.</exception>
    public static string ResolveBelow(string canonicalRoot, string relativePath)
    {
        var links = 0;
        var current = canonicalRoot;
        foreach (var part in relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                throw new ArgumentException($"'{relativePath}' leaves its root.", nameof(relativePath));
            }
            if (part != ".")
            {
                current = Step(current, part, ref links);
            }
        }
        return current;
    }

    private static string Resolve(string fullPath, ref int links)
    {
        var root = Path.GetPathRoot(fullPath)!;
        var current = root;
        foreach (var part in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Step(current, part, ref links);
        }
        return current;
    }

    /// <summary>The canonical path of <paramref name="part"/> inside the canonical folder <paramref name="current"/>.</summary>
    private static string Step(string current, string part, ref int links)
    {
        var next = Path.Combine(current, part);
        if (new FileInfo(next).LinkTarget is not { } target)
        {
            return next;
        }
        if (++links > MaxLinks)
        {
            throw new IOException($"Too many levels of symbolic links at '{next}'.");
        }
        // A relative target is relative to the link's folder; the target may itself hold links.
        return Resolve(Path.GetFullPath(target, current), ref links);
    }

    /// <summary>The canonical path of an existing file or folder, or null when it does not exist (e.g. a dangling link).</summary>
    public static string? Of(string path)
    {
        var resolved = Resolve(path);
        return File.Exists(resolved) || Directory.Exists(resolved) ? resolved : null;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or lies below it (both canonical).</summary>
    public static bool IsUnder(string path, string root)
    {
        var prefix = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        return path.Equals(root, StringComparison.Ordinal) || path.StartsWith(prefix, StringComparison.Ordinal);
    }
}
