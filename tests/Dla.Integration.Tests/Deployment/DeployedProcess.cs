namespace Dla.Integration.Tests.Deployment;

/// <summary>
/// A Dla process as a deployment file starts it: where it is declared, the assembly its image's ENTRYPOINT
/// runs (<c>dotnet &lt;Assembly&gt;.dll</c>), the arguments after it, and the environment variables the file
/// sets. A null value is a variable the file sets without holding its value (passed through from the shell,
/// or from a Secret when compose has no value to stand in for it).
/// </summary>
internal sealed record DeployedProcess(string Source, string Name, string Assembly, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string?> Environment)
{
    public override string ToString() => $"{Source}: {Name}";
}
