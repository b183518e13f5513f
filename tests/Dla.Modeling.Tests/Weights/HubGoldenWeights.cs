namespace Dla.Modeling.Tests.Weights;

/// <summary>
/// The dla46_c golden weights from ../shared/golden (timm's own safetensors file), served by the
/// hub tests as a realistic download. Tests skip with the reason when the shared folder is absent.
/// </summary>
internal static class HubGoldenWeights
{
    private static readonly Lazy<string?> RepositoryRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dla.sln")))
            {
                return dir.FullName;
            }
        }
        return null;
    });

    /// <summary>The bytes of models/dla46_c/weights.safetensors, or a skipped test.</summary>
    public static byte[] Dla46C()
    {
        var root = RepositoryRoot.Value ?? throw new InvalidOperationException($"No Dla.sln above {AppContext.BaseDirectory}.");
        var path = Path.GetFullPath(Path.Combine(root, "..", "shared", "golden", "models", "dla46_c", "weights.safetensors"));
        if (!File.Exists(path))
        {
            Assert.Skip($"Golden data is absent: {path} not found (the shared folder ../shared beside the repository root holds it).");
        }
        return File.ReadAllBytes(path);
    }
}
