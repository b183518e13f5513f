using Dla.Scheduler;
using Dla.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dla.Cli.Tests.Jobs;

/// <summary>
/// A real scheduler in this process for the client commands to talk to: SQLite in <c>work</c>, the
/// in-memory transport, local datasets allowed under <c>work</c>, a free loopback port; with
/// <c>withWorker</c>, a worker on the same bus so jobs actually run.
/// </summary>
internal sealed class LocalScheduler(WebApplication app, string address) : IAsyncDisposable
{
    /// <summary>The base URL to pass as <c>--api</c>.</summary>
    public string Address { get; } = address;

    public static async Task<LocalScheduler> StartAsync(string work, bool withWorker = false, IDictionary<string, string?>? settings = null)
    {
        var app = SchedulerApp.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = "sqlite",
                ["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(work, "jobs.db")}",
                ["Messaging:Transport"] = "inmemory",
                ["Datasets:AllowedRoots:0"] = work,
                ["DLA_CACHE_DIR"] = Path.Combine(work, "cache"),
            });
            builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
            if (withWorker)
            {
                builder.Services.AddDlaWorker(builder.Configuration);
            }
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            // No console logging: CliHarness captures Console.Out for the command under test, and other test
            // classes run commands in parallel, so a log line here would land in their output.
            builder.Logging.ClearProviders();
        }, bus =>
        {
            if (withWorker)
            {
                bus.AddDlaWorkerConsumers();
            }
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new LocalScheduler(app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
    }
}
