using Dla.Integration.Tests.Hosting;

namespace Dla.Integration.Tests.Deployment;

/// <summary>
/// docker-compose.yml and the rendered Kubernetes overlays against the code: every variable they set for the
/// scheduler, the migration Job and the workers is a configuration key the application reads, every required
/// key is set, and the applications compose and validate their options with those values.
/// </summary>
public sealed class ConfigurationDriftTests
{
    /// <summary>What compose takes from the shell: the API key (compose refuses to start without one).</summary>
    private static readonly Dictionary<string, string> Shell = new() { ["DLA_API_KEY"] = "drift-test-api-key" };

    private static string Root => Executables.RepositoryRoot;

    public static TheoryData<string> Overlays => new(KubernetesManifests.Overlays(Executables.RepositoryRoot));

    [Fact]
    public void Every_variable_docker_compose_sets_is_read_and_every_required_one_is_set()
    {
        var processes = Compose().DlaProcesses().ToList();

        Assert.Equal(["Dla.Scheduler", "Dla.Worker"], processes.Select(p => p.Assembly).Distinct().Order(StringComparer.Ordinal));
        AssertAgree(processes);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Every_variable_a_kubernetes_overlay_sets_is_read_and_every_required_one_is_set(string overlay)
    {
        var compose = Compose();
        // The images compose builds name the assembly their Dockerfile runs; Secrets get compose's value of the
        // same variable (the two files mirror each other), so the applications compose with realistic values.
        var assemblyByImage = compose.Services.Values.Where(s => s.Image is not null && s.Dockerfile is not null)
            .GroupBy(s => KubernetesManifests.ImageName(s.Image!))
            .ToDictionary(g => g.Key, g => Dockerfiles.EntryPointAssembly(g.First().Dockerfile!));
        var composeValues = compose.Services.Values.SelectMany(s => s.Environment).GroupBy(v => v.Key).ToDictionary(g => g.Key, g => g.First().Value);

        var processes = KubernetesManifests.DlaProcesses(overlay, KubernetesManifests.Render(Path.Combine(Root, overlay)), assemblyByImage, composeValues.GetValueOrDefault).ToList();

        Assert.Contains(processes, p => p.Assembly == "Dla.Scheduler" && p.Args.Count == 0);
        Assert.Contains(processes, p => p.Assembly == "Dla.Scheduler" && p.Args.SequenceEqual(["--migrate-only"]));
        Assert.Contains(processes, p => p.Assembly == "Dla.Worker");
        AssertAgree(processes);
    }

    [Fact]
    public void A_misspelt_variable_a_variable_of_the_other_application_and_a_missing_connection_string_are_caught()
    {
        var worker = Compose().DlaProcesses().Single(p => p.Name == "service worker-cpu");
        var environment = new Dictionary<string, string?>(worker.Environment);
        environment["Worker__PrefechCount"] = environment["Worker__PrefetchCount"];
        environment.Remove("Worker__PrefetchCount");
        environment["Scheduler__LeaseSeconds"] = "1800";
        environment.Remove("ConnectionStrings__BlobStorage");

        var failures = ConfigurationDrift.Check(worker with { Environment = environment });

        Assert.Equal(
        [
            "docker-compose.yml: service worker-cpu: sets Scheduler__LeaseSeconds, but Dla.Worker never reads the configuration key Scheduler:LeaseSeconds (a typo, a setting the code no longer has, or options bound without ValidateOnStart?)",
            "docker-compose.yml: service worker-cpu: sets Worker__PrefechCount, but Dla.Worker never reads the configuration key Worker:PrefechCount (a typo, a setting the code no longer has, or options bound without ValidateOnStart?)",
            "docker-compose.yml: service worker-cpu: does not set ConnectionStrings__BlobStorage, which Dla.Worker requires",
        ], failures);
    }

    [Fact]
    public void A_value_the_options_refuse_is_caught()
    {
        var worker = Compose().DlaProcesses().Single(p => p.Name == "service worker-cpu");

        var failures = ConfigurationDrift.Check(worker with { Environment = new Dictionary<string, string?>(worker.Environment) { ["Worker__Provider"] = "gpu" } });

        var failure = Assert.Single(failures);
        Assert.StartsWith("docker-compose.yml: service worker-cpu: Dla.Worker: ", failure, StringComparison.Ordinal);
        Assert.Contains("Provider", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void The_schedulers_tenant_limit_and_model_keys_are_known()
    {
        var scheduler = Compose().DlaProcesses().Single(p => p.Name == "service scheduler");
        var environment = new Dictionary<string, string?>(scheduler.Environment)
        {
            ["Api__Tenants__vision__Keys__0"] = "a-tenant-key-0123456789",
            ["Api__Tenants__vision__MaxRunningJobs"] = "4",
            ["Api__MaxJsonBytes"] = "2097152",
            ["Api__MaxUploadBytes"] = "67108864",
            ["Models__AllowedRoots__0"] = "/models",
            ["Messaging__UsageTelemetry"] = "false",
            ["Api__Tenants__vision__MaxRunningJob"] = "4",
        };

        var failures = ConfigurationDrift.Check(scheduler with { Environment = environment });

        // Only the misspelling is unknown.
        Assert.Equal(["docker-compose.yml: service scheduler: sets Api__Tenants__vision__MaxRunningJob, but Dla.Scheduler never reads the configuration key Api:Tenants:vision:MaxRunningJob (a typo, a setting the code no longer has, or options bound without ValidateOnStart?)"], failures);
    }

    private static ComposeFile Compose() => ComposeFile.Load(Path.Combine(Root, "docker-compose.yml"), Shell);

    private static void AssertAgree(List<DeployedProcess> processes)
    {
        var failures = processes.SelectMany(ConfigurationDrift.Check).ToList();
        Assert.True(failures.Count == 0, $"The deployment files disagree with the code:\n{string.Join('\n', failures)}");
    }
}
