using System.Text.RegularExpressions;

namespace Dla.Integration.Tests.Deployment;

/// <summary>One service of docker-compose.yml, interpolated. A null environment value is passed through from the shell.</summary>
internal sealed record ComposeService(string Name, string? Image, string? Dockerfile, IReadOnlyList<string> Command, IReadOnlyDictionary<string, string?> Environment);

/// <summary>
/// docker-compose.yml as compose reads it: merge keys applied, and <c>${VAR}</c>, <c>${VAR:-default}</c>,
/// <c>${VAR:?error}</c> (and the forms without the colon) and <c>$$</c> interpolated from the given shell
/// variables only, never from this process's environment, so the result does not depend on who runs it.
/// </summary>
internal sealed partial class ComposeFile
{
    private ComposeFile(string path, IReadOnlyDictionary<string, ComposeService> services)
    {
        Path = path;
        Services = services;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, ComposeService> Services { get; }

    public static ComposeFile Load(string path, IReadOnlyDictionary<string, string> shell)
    {
        var root = Yaml.LoadAll(File.ReadAllText(path)).Single();
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        var services = new Dictionary<string, ComposeService>();
        foreach (var (key, node) in Yaml.Map(root, "services"))
        {
            var name = (string)key;
            services[name] = new ComposeService(
                name,
                Yaml.Text(node, "image"),
                DockerfileOf(node, directory),
                Command(Yaml.At(node, "command"), shell),
                Environment(Yaml.At(node, "environment"), shell));
        }
        return new ComposeFile(path, services);
    }

    /// <summary>
    /// The services that run a Dla application (built from a Dockerfile whose ENTRYPOINT is <c>dotnet Dla.*.dll</c>),
    /// as <see cref="DeployedProcess"/>es.
    /// </summary>
    public IEnumerable<DeployedProcess> DlaProcesses() =>
        from service in Services.Values
        where service.Dockerfile is not null
        let assembly = Dockerfiles.EntryPointAssembly(service.Dockerfile!)
        where assembly.StartsWith("Dla.", StringComparison.Ordinal)
        select new DeployedProcess(System.IO.Path.GetFileName(Path), $"service {service.Name}", assembly, service.Command, service.Environment);

    /// <summary>Applies compose's variable interpolation to <paramref name="value"/>.</summary>
    public static string Interpolate(string value, IReadOnlyDictionary<string, string> shell) =>
        Variable().Replace(value, match =>
        {
            if (match.Value == "$$")
            {
                return "$";
            }
            var name = match.Groups["name"].Success ? match.Groups["name"].Value : match.Groups["bare"].Value;
            var (op, argument) = (match.Groups["op"].Value, match.Groups["arg"].Value);
            var set = shell.TryGetValue(name, out var current);
            // With a colon, an empty value counts as unset.
            var usable = set && (current!.Length > 0 || !op.StartsWith(':'));
            return op.TrimStart(':') switch
            {
                "-" => usable ? current! : argument,
                "?" => usable ? current! : throw new InvalidOperationException($"compose needs {name}: {argument}"),
                "+" => usable ? argument : "",
                _ => set ? current! : "",
            };
        });

    private static string? DockerfileOf(object? service, string directory) => Yaml.At(service, "build") switch
    {
        string context => System.IO.Path.Combine(directory, context, "Dockerfile"),
        Dictionary<object, object?> build => System.IO.Path.Combine(directory, Yaml.Text(build, "context") ?? ".", Yaml.Text(build, "dockerfile") ?? "Dockerfile"),
        _ => null,
    };

    private static List<string> Command(object? node, IReadOnlyDictionary<string, string> shell) => node switch
    {
        string line => [.. line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(a => Interpolate(a, shell))],
        List<object?> items => [.. items.Select(i => Interpolate((string)i!, shell))],
        _ => [],
    };

    private static Dictionary<string, string?> Environment(object? node, IReadOnlyDictionary<string, string> shell)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        // A variable without a value is taken from the shell, and left out when the shell has none.
        string? PassThrough(string name) => shell.GetValueOrDefault(name);
        switch (node)
        {
            case Dictionary<object, object?> map:
                foreach (var (key, value) in map)
                {
                    environment[(string)key] = value is string text ? Interpolate(text, shell) : PassThrough((string)key);
                }
                break;
            case List<object?> items:
                foreach (var item in items.Cast<string>())
                {
                    var split = item.IndexOf('=', StringComparison.Ordinal);
                    environment[split < 0 ? item : item[..split]] = split < 0 ? PassThrough(item) : Interpolate(item[(split + 1)..], shell);
                }
                break;
        }
        return environment;
    }

    [GeneratedRegex(@"\$\$|\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:?[-?+])(?<arg>[^}]*))?\}|\$(?<bare>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Variable();
}
