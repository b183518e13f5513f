using System.Diagnostics;

namespace Dla.Modeling.Tests;

/// <summary>
/// Finds the shared reference data: <c>../shared</c> next to the repository root (the folder
/// holding Dla.sln), with the reference implementation's outputs under <c>golden/</c>. Tests that
/// need it call a <c>Require…</c> method, which skips the test with a clear reason when it is absent.
/// </summary>
internal static class GoldenData
{
    private const string SolutionFile = "Dla.sln";

    /// <summary>The repository root (the folder holding Dla.sln), or null when not found.</summary>
    public static string? RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The shared folder (<c>../shared</c> from the repository root), or null when absent.</summary>
    public static string? SharedRoot { get; } = ExistingOrNull(RepositoryRoot is null ? null : Path.Combine(RepositoryRoot, "..", "shared"));

    /// <summary>The golden data folder (<c>../shared/golden</c>), or null when absent.</summary>
    public static string? Root { get; } = ExistingOrNull(SharedRoot is null ? null : Path.Combine(SharedRoot, "golden"));

    /// <summary>The shared folder; skips the calling test when it is absent.</summary>
    public static string RequireSharedRoot() =>
        SharedRoot ?? throw SkipBecause("../shared");

    /// <summary>The golden data folder; skips the calling test when it is absent.</summary>
    public static string RequireRoot() =>
        Root ?? throw SkipBecause("../shared/golden");

    /// <summary>A path below the golden folder (e.g. <c>"images", "preprocess.safetensors"</c>); skips when it does not exist.</summary>
    public static string RequirePath(params string[] relative)
    {
        var path = Path.Combine([RequireRoot(), .. relative]);
        if (!File.Exists(path) && !Directory.Exists(path))
            Assert.Skip($"Golden data '{Path.Combine(relative)}' is absent under {Root}.");
        return path;
    }

    private static UnreachableException SkipBecause(string folder)
    {
        Assert.Skip(RepositoryRoot is null
            ? $"Reference data is unavailable: no {SolutionFile} above {AppContext.BaseDirectory}."
            : $"Reference data folder {folder} is absent (looked for {Path.GetFullPath(Path.Combine(RepositoryRoot, folder))}).");
        return new UnreachableException();
    }

    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                return dir.FullName;
        }

        return null;
    }

    private static string? ExistingOrNull(string? path) =>
        path is not null && Directory.Exists(path) ? Path.GetFullPath(path) : null;
}
