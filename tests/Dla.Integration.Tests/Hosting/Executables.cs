namespace Dla.Integration.Tests.Hosting;

/// <summary>Paths of the built executables and the shared golden data, found from the repository root.</summary>
internal static class Executables
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Scheduler => Built("Dla.Scheduler");

    public static string Worker => Built("Dla.Worker");

    public static string Cli => Built("Dla.Cli", "dla");

    /// <summary>The built dll of the application whose assembly (and project) is <paramref name="assembly"/>, e.g. the one a Dockerfile's ENTRYPOINT runs.</summary>
    public static string ForAssembly(string assembly) => Built(assembly);

    /// <summary>Where the golden reference data is when ../shared is beside the repository (it may be absent).</summary>
    public static string GoldenPath => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "golden"));

    /// <summary>../shared/golden, skipping the test when it is absent.</summary>
    public static string Golden()
    {
        var golden = GoldenPath;
        if (!Directory.Exists(golden))
        {
            Assert.Skip($"Golden reference data is absent ({golden}).");
        }
        return golden;
    }

    /// <summary>The dll of <paramref name="project"/> built in the same configuration as these tests (scripts/test.sh builds the whole solution first).</summary>
    private static string Built(string project, string? assembly = null)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var path = Path.Combine(RepositoryRoot, "src", project, "bin", configuration, "net10.0", (assembly ?? project) + ".dll");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is not built: build the solution (scripts/test.sh does) before running the integration tests.");
        }
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dla.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Dla.sln above {AppContext.BaseDirectory}.");
    }
}
