using System.ComponentModel;
using System.Diagnostics;

namespace Dla.Integration.Tests.Deployment;

/// <summary>The manifests <c>kubectl kustomize</c> renders from k8s/, and the Dla processes they start.</summary>
internal static class KubernetesManifests
{
    private static readonly string[] WorkloadKinds = ["Deployment", "StatefulSet", "DaemonSet", "Job"];

    /// <summary>Every overlay under k8s/overlays, as a path relative to the repository root.</summary>
    public static IEnumerable<string> Overlays(string repositoryRoot) =>
        Directory.GetDirectories(Path.Combine(repositoryRoot, "k8s", "overlays")).Order(StringComparer.Ordinal)
            .Select(d => Path.GetRelativePath(repositoryRoot, d).Replace('\\', '/'));

    /// <summary>The documents <c>kubectl kustomize</c> renders from <paramref name="directory"/>; skips the test when kubectl is absent.</summary>
    public static List<Dictionary<object, object?>> Render(string directory)
    {
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("kustomize");
        info.ArgumentList.Add(directory);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (Win32Exception)
        {
            Assert.Skip("kubectl is not installed: the rendered manifests cannot be checked (scripts/validate-deploy.sh needs it too).");
            throw;
        }
        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"kubectl kustomize {directory} failed: {error.Result}");
            return Yaml.LoadAll(output);
        }
    }

    /// <summary>
    /// The containers of every workload in <paramref name="documents"/> whose image is one of <paramref name="assemblyByImage"/>
    /// (image name without registry or tag → the assembly its ENTRYPOINT runs), with the environment they get:
    /// <c>env</c> values, <c>configMapKeyRef</c>s and <c>envFrom</c> ConfigMaps resolved against the rendered
    /// ConfigMaps, and <c>secretKeyRef</c>s replaced by <paramref name="secretStandIn"/> (null: no stand-in).
    /// </summary>
    public static IEnumerable<DeployedProcess> DlaProcesses(string source, List<Dictionary<object, object?>> documents, IReadOnlyDictionary<string, string> assemblyByImage, Func<string, string?> secretStandIn)
    {
        var configMaps = documents.Where(d => Yaml.Text(d, "kind") == "ConfigMap")
            .ToDictionary(d => Yaml.Text(d, "metadata", "name")!, d => Yaml.Map(d, "data"));
        foreach (var workload in documents.Where(d => WorkloadKinds.Contains(Yaml.Text(d, "kind"))))
        {
            foreach (var container in Yaml.List(workload, "spec", "template", "spec", "containers"))
            {
                if (!assemblyByImage.TryGetValue(ImageName(Yaml.Text(container, "image") ?? ""), out var assembly))
                {
                    continue;
                }
                var name = $"{Yaml.Text(workload, "kind")}/{Yaml.Text(workload, "metadata", "name")} (container {Yaml.Text(container, "name")})";
                var args = Yaml.List(container, "args").Cast<string>().ToList();
                yield return new DeployedProcess(source, name, assembly, args, Environment(container, configMaps, secretStandIn, $"{source}: {name}"));
            }
        }
    }

    /// <summary><c>registry.example.com/dla/dla-worker:0.1.0-gpu</c> → <c>dla-worker</c>.</summary>
    public static string ImageName(string image)
    {
        var name = image.Split('@')[0];
        name = name[(name.LastIndexOf('/') + 1)..];
        return name.Split(':')[0];
    }

    private static Dictionary<string, string?> Environment(object? container, Dictionary<string, Dictionary<object, object?>> configMaps, Func<string, string?> secretStandIn, string where)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        // envFrom first: Kubernetes lets env override it.
        foreach (var from in Yaml.List(container, "envFrom"))
        {
            var prefix = Yaml.Text(from, "prefix") ?? "";
            if (Yaml.Text(from, "configMapRef", "name") is { } configMap)
            {
                Assert.True(configMaps.ContainsKey(configMap), $"{where}: envFrom names ConfigMap {configMap}, which the render does not contain");
                foreach (var (key, value) in configMaps[configMap])
                {
                    environment[prefix + (string)key] = value as string;
                }
            }
            else
            {
                Assert.Fail($"{where}: envFrom {Yaml.Map(from).Keys.FirstOrDefault()} sets variables this check cannot list; use env with secretKeyRef.");
            }
        }
        foreach (var variable in Yaml.List(container, "env"))
        {
            var name = Yaml.Text(variable, "name")!;
            environment[name] = Yaml.At(variable, "valueFrom") switch
            {
                null => Yaml.Text(variable, "value") ?? "",
                var from when Yaml.Text(from, "configMapKeyRef", "name") is { } map => Yaml.Text(configMaps.GetValueOrDefault(map), Yaml.Text(from, "configMapKeyRef", "key")!),
                var from when Yaml.At(from, "secretKeyRef") is not null => secretStandIn(name),
                _ => null,
            };
        }
        return environment;
    }
}
