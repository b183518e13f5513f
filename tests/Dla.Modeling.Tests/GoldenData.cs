namespace Dla.Modeling.Tests;

/// <summary>
/// Locates shared/golden (reference outputs computed by timm) beside the repository; tests that
/// need it skip with the reason when it is absent.
/// </summary>
internal static class GoldenData
{
    private static readonly Lazy<string?> SharedRoot = new(FindShared);

    /// <summary>The shared/ folder beside the repository root, or null.</summary>
    public static string? Shared => SharedRoot.Value;

    /// <summary>shared/golden, skipping the calling test when it is absent.</summary>
    public static string RequireRoot()
    {
        var golden = Shared is null ? null : Path.Combine(Shared, "golden");
        if (golden is null || !System.IO.Directory.Exists(golden))
        {
            Assert.Skip("Golden reference data not found: expected ../shared/golden beside the repository root (set DLA_SHARED_DIR to point elsewhere).");
        }
        return golden!;
    }

    private static string? FindShared()
    {
        if (Environment.GetEnvironmentVariable("DLA_SHARED_DIR") is { Length: > 0 } configured)
        {
            return configured;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dla.sln")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
            }
        }
        return null;
    }
}
