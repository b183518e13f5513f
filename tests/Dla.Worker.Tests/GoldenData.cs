namespace Dla.Worker.Tests;

/// <summary>
/// Finds the shared reference data (<c>../shared/golden</c> beside the folder holding Dla.sln).
/// <see cref="RequirePath"/> skips the calling test with the reason when it is absent.
/// </summary>
internal static class GoldenData
{
    /// <summary>The repository root (the folder holding Dla.sln), or null when not found.</summary>
    public static string? RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>A path below <c>../shared/golden</c>; skips the test when it does not exist.</summary>
    public static string RequirePath(params string[] relative)
    {
        if (RepositoryRoot is null)
        {
            Assert.Skip($"Reference data is unavailable: no Dla.sln above {AppContext.BaseDirectory}.");
        }
        var path = Path.GetFullPath(Path.Combine([RepositoryRoot!, "..", "shared", "golden", .. relative]));
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            Assert.Skip($"Reference data '{path}' is absent (../shared/golden is laid beside the repository).");
        }
        return path;
    }

    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dla.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    }
}
