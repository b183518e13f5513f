using System.Text.Json.Nodes;
using Dla.Messaging;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Dla.Worker.Tests;

public sealed class WorkerRegistrationTests
{
    [Fact]
    public void The_shipped_appsettings_bind_and_validate()
    {
        var root = GoldenData.RepositoryRoot ?? throw new InvalidOperationException("Dla.sln not found.");
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(root, "src", "Dla.Worker", "appsettings.json"))
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = "Host=localhost;Database=dla" }).Build();
        using var services = Build(configuration);

        var worker = services.GetRequiredService<IOptions<WorkerOptions>>().Value;

        Assert.Equal((2, 2, 5, "cpu", 60), (worker.ConcurrentBatches, worker.PrefetchCount, worker.RetryCount, worker.Provider, worker.ShutdownTimeoutSeconds));
    }

    [Fact]
    public void The_worker_process_runs_without_spinning_pool_threads_or_the_instrumented_compiler_tier()
    {
        // The runtime settings the worker's build writes beside it (and its published image carries): both keep the
        // cores decoding, the first while the pool waits for work, the second through a new worker's first minute.
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Dla.Worker.runtimeconfig.json")))!
            ["runtimeOptions"]!["configProperties"]!;

        Assert.Equal(0, (int)settings["System.Threading.ThreadPool.UnfairSemaphoreSpinLimit"]!);
        Assert.False((bool)settings["System.Runtime.TieredPGO"]!);
    }

    [Fact]
    public void Shutdown_timeouts_follow_Worker_ShutdownTimeoutSeconds()
    {
        using var services = Build(Configuration(("Worker:ShutdownTimeoutSeconds", "42")));

        var host = services.GetRequiredService<IOptions<HostOptions>>().Value;
        var bus = services.GetRequiredService<IOptions<MassTransitHostOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(42), host.ShutdownTimeout);
        Assert.True(bus.ConsumerStopTimeout < bus.StopTimeout && bus.StopTimeout < host.ShutdownTimeout);
    }

    [Fact]
    public void MassTransit_usage_telemetry_is_off_unless_Messaging_UsageTelemetry_turns_it_on()
    {
        using var quiet = BuildBus(Configuration(("Messaging:Transport", "inmemory")));
        using var reporting = BuildBus(Configuration(("Messaging:Transport", "inmemory"), ("Messaging:UsageTelemetry", "true")));

        Assert.False(quiet.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
        Assert.True(reporting.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }

    [Fact]
    public void Invalid_worker_settings_are_refused()
    {
        using var services = Build(Configuration(("Worker:Provider", "tpu"), ("Worker:ConcurrentBatches", "0")));

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<WorkerOptions>>().Value);

        Assert.Contains(ex.Failures, f => f.Contains("Provider", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("ConcurrentBatches", StringComparison.Ordinal));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))
            .Append(KeyValuePair.Create("ConnectionStrings:Postgres", (string?)"Host=localhost;Database=dla"))).Build();

    /// <summary>The worker's bus as WorkerApp registers it.</summary>
    private static ServiceProvider BuildBus(IConfiguration configuration) =>
        new ServiceCollection().AddLogging().AddMassTransit(bus => bus.UsingDlaTransport(configuration)).BuildServiceProvider();

    private static ServiceProvider Build(IConfiguration configuration) =>
        new ServiceCollection().AddSingleton(configuration).AddLogging().AddDlaWorker(configuration).BuildServiceProvider();
}
