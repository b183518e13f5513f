using System.Text.Json;

namespace Dla.Integration.Tests.Deployment;

/// <summary>What a Dockerfile of this repository runs.</summary>
internal static class Dockerfiles
{
    /// <summary>
    /// The assembly of the last <c>ENTRYPOINT ["dotnet", "X.dll"]</c> (exec form) in <paramref name="dockerfile"/>:
    /// the image runs <c>dotnet X.dll</c> followed by the compose <c>command</c> or the Kubernetes <c>args</c>.
    /// </summary>
    public static string EntryPointAssembly(string dockerfile)
    {
        var line = File.ReadLines(dockerfile).LastOrDefault(l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{dockerfile} has no ENTRYPOINT.");
        var entryPoint = JsonSerializer.Deserialize<string[]>(line["ENTRYPOINT ".Length..]) ?? [];
        if (entryPoint is not ["dotnet", var dll] || !dll.EndsWith(".dll", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{dockerfile}: expected ENTRYPOINT [\"dotnet\", \"<assembly>.dll\"], found {line}.");
        }
        return dll[..^".dll".Length];
    }
}
