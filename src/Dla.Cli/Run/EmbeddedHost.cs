using Dla.Datasets;
using Dla.Messaging;
using Dla.Scheduler;
using Dla.Worker;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dla.Cli.Run;

/// <summary>
/// The embedded mode: the scheduler's services and a worker in one process, on MassTransit's
/// in-memory transport and a SQLite file — the same consumers, planner, dispatcher and writers as
/// the distributed mode, configured through the same keys.
/// </summary>
internal static class EmbeddedHost
{
    public static IHost Build(RunSettings settings)
    {
        var builder = Host.CreateApplicationBuilder([]);
        builder.Configuration.AddInMemoryCollection(Configuration(settings));
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(settings.Verbose ? LogLevel.Information : LogLevel.Warning);
        // Keep the console for the progress bar: logs go to standard error.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddDlaScheduler(builder.Configuration);
        builder.Services.AddDlaWorker(builder.Configuration);
        builder.Services.AddMassTransit(bus =>
        {
            bus.AddDlaSchedulerConsumers();
            bus.AddDlaWorkerConsumers();
            bus.UsingDlaTransport(builder.Configuration);
        });
        return builder.Build();
    }

    private static Dictionary<string, string?> Configuration(RunSettings settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "inmemory",
            ["Database:Provider"] = settings.Database.StartsWith("Host=", StringComparison.OrdinalIgnoreCase) ? "postgres" : "sqlite",
            ["Database:MigrateOnStartup"] = "true",
            ["Worker:Provider"] = settings.Provider,
            ["Worker:IntraOpThreads"] = settings.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Two batches in flight: the next one's reading and decoding overlap this one's inference
            // (DlaSession runs one batch at a time), so the model does not wait at batch boundaries.
            ["Worker:ConcurrentBatches"] = "2",
            // One process: the dispatcher hears every planned chunk and stored batch (DispatchSignal), and a crashed
            // run's batches are re-queued at start, so its timer is only the fallback.
            ["Scheduler:DispatchIntervalMilliseconds"] = "500",
        };
        // One's own machine: the model and weights files given on the command line are not confined.
        values["Models:AllowedRoots:0"] = "/";
        values[values["Database:Provider"] == "postgres" ? "ConnectionStrings:Postgres" : "ConnectionStrings:Sqlite"] = settings.Database;
        var location = DatasetLocation.Parse(settings.Dataset);
        if (location.Kind == DatasetKind.LocalFolder)
        {
            // The embedded runner may read exactly the folder it was given.
            values["Datasets:AllowedRoots:0"] = location.Root;
        }
        else if (Environment.GetEnvironmentVariable("ConnectionStrings__BlobStorage") is { Length: > 0 } blobs)
        {
            values["ConnectionStrings:BlobStorage"] = blobs;
        }
        return values;
    }
}
