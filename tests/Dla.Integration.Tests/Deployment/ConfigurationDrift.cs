using System.Reflection;
using Dla.Integration.Tests.Hosting;
using Dla.Persistence.Database;
using Dla.Messaging;
using Dla.Scheduler.Api;

namespace Dla.Integration.Tests.Deployment;

/// <summary>
/// Checks a <see cref="DeployedProcess"/> against its application's code: every variable it sets must be a
/// configuration key the application reads (observed by <see cref="ConfigurationReads"/> running the real
/// entry point with exactly that environment), every key the application requires must be set, and the
/// application must compose and validate its options with those values.
/// </summary>
internal static class ConfigurationDrift
{
    /// <summary>
    /// Read by ASP.NET Core, the .NET host, the logging infrastructure or the OpenTelemetry SDK themselves,
    /// outside the configuration reads of Dla's code, so allowed by prefix rather than observed.
    /// </summary>
    private static readonly string[] FrameworkPrefixes = ["ASPNETCORE_", "DOTNET_", "Logging__", "OTEL_"];

    private static readonly string[] Infrastructure =
    [
        "ConnectionStrings:Postgres",
        "ConnectionStrings:RabbitMq",
        "ConnectionStrings:BlobStorage",
        // Both default to the distributed values, but a deployment says which it runs on.
        $"{DatabaseOptions.Section}:{nameof(DatabaseOptions.Provider)}",
        $"{MessagingOptions.Section}:{nameof(MessagingOptions.Transport)}",
    ];

    /// <summary>The keys a deployment of each application must set: it cannot work, or must not run, without them.</summary>
    private static readonly Dictionary<string, string[]> Required = new()
    {
        ["Dla.Scheduler"] = [.. Infrastructure, $"{ApiKeyOptions.Section}:{nameof(ApiKeyOptions.Keys)}:0"],
        ["Dla.Worker"] = Infrastructure,
    };

    /// <summary>Every way <paramref name="process"/> disagrees with its application's code; empty when it agrees.</summary>
    public static List<string> Check(DeployedProcess process)
    {
        var application = Assembly.Load(process.Assembly);
        // Values a file does not hold (Secrets without a compose stand-in) are left out: the key is still checked.
        var configuration = process.Environment.Where(v => v.Value is not null).ToDictionary(v => Key(v.Key), v => v.Value);
        var contentRoot = Path.GetDirectoryName(Executables.ForAssembly(process.Assembly))!;
        var observed = ConfigurationReads.Observe(application, configuration, process.Args, contentRoot);
        var direct = DirectVariables(application);

        var failures = observed.Errors.Select(e => $"{process}: {process.Assembly}: {e}").ToList();
        // An application that stopped half-way read only part of its configuration: report why, not the rest.
        foreach (var name in observed.Errors.Count > 0 ? [] : process.Environment.Keys.Order(StringComparer.Ordinal).ToList())
        {
            if (!FrameworkPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)) && !direct.Contains(name) && !observed.Reads.Contains(Key(name)))
            {
                failures.Add($"{process}: sets {name}, but {process.Assembly} never reads the configuration key {Key(name)} (a typo, a setting the code no longer has, or options bound without ValidateOnStart?)");
            }
        }
        foreach (var key in Required.GetValueOrDefault(process.Assembly, []))
        {
            if (!process.Environment.Keys.Any(n => string.Equals(Key(n), key, StringComparison.OrdinalIgnoreCase)))
            {
                failures.Add($"{process}: does not set {key.Replace(":", "__", StringComparison.Ordinal)}, which {process.Assembly} requires");
            }
        }
        return failures;
    }

    /// <summary><c>Worker__PrefetchCount</c> → <c>Worker:PrefetchCount</c>, as the environment configuration provider maps it.</summary>
    public static string Key(string variable) => variable.Replace("__", ":", StringComparison.Ordinal);

    /// <summary>
    /// Environment variables Dla reads directly (<c>Environment.GetEnvironmentVariable</c>), not as configuration:
    /// by convention each is a public string constant named <c>...Variable</c> (<c>HubWeightsOptions.TokenVariable</c>
    /// = <c>HF_TOKEN</c>), in <paramref name="application"/> or a Dla assembly it references.
    /// </summary>
    private static HashSet<string> DirectVariables(Assembly application)
    {
        var assemblies = new Dictionary<string, Assembly>();
        var pending = new Stack<Assembly>([application]);
        while (pending.TryPop(out var assembly))
        {
            if (assemblies.TryAdd(assembly.GetName().Name!, assembly))
            {
                foreach (var reference in assembly.GetReferencedAssemblies().Where(r => r.Name!.StartsWith("Dla.", StringComparison.Ordinal)))
                {
                    pending.Push(Assembly.Load(reference));
                }
            }
        }
        return assemblies.Values.SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name.EndsWith("Variable", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);
    }
}
