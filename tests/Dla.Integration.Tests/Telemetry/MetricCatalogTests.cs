using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Dla.Datasets.ModelFiles;
using Dla.Integration.Tests.Hosting;
using Dla.Modeling.Models;
using Dla.Modeling.Weights;
using Dla.Scheduler.Telemetry;
using Dla.ServiceDefaults.Telemetry;
using Dla.Worker;
using Dla.Worker.Inference;
using Dla.Worker.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dla.Integration.Tests.Telemetry;

/// <summary>docs/observability.md and the instruments the code creates on the "Dla" meter name the same metrics, with the same units.</summary>
public sealed partial class MetricCatalogTests
{
    [Fact]
    public void Every_Dla_instrument_is_documented_and_every_documented_one_exists()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var created = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == DlaTelemetry.Name && instrument.Meter.Scope == factory)
                {
                    lock (created)
                    {
                        created.Add(instrument);
                    }
                }
            },
        };
        listener.Start();
        using var hub = new HuggingFaceHub();
        using var sessions = new ModelSessions(new ModelRepository(hub), new PinnedModelFiles(new ModelBlobStore(null), hub), Options.Create(new WorkerOptions()), NullLogger<ModelSessions>.Instance);
        _ = new WorkerMetrics(factory, sessions);
        _ = new SchedulerMetrics(factory);

        var documented = DocumentedRow().Matches(File.ReadAllText(Path.Combine(Executables.RepositoryRoot, "docs", "observability.md")))
            .ToDictionary(m => m.Groups["name"].Value, m => m.Groups["unit"].Value);

        Assert.NotEmpty(created);
        Assert.Equal(documented.Keys.Order(), created.Select(i => i.Name).Order());
        Assert.All(created, i => Assert.Equal(documented[i.Name], i.Unit));
    }

    /// <summary>A row of the metric tables: <c>| `dla.worker.images` | `dla_worker_images_total` | counter | `{image}` | ...</c>.</summary>
    [GeneratedRegex(@"^\| `(?<name>dla\.[a-z_.]+)` \| `[a-z_]+` \| [a-z ]+ \| `(?<unit>[^`]+)` \|", RegexOptions.Multiline)]
    private static partial Regex DocumentedRow();
}
