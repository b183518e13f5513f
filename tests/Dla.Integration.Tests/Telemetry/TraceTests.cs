using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dla.Integration.Tests.Hosting;
using Dla.Modeling.Weights;
using Dla.Scheduler;
using Dla.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dla.Integration.Tests.Telemetry;

/// <summary>
/// The scheduler and a worker hosted in this process (each its own application, as in production, talking
/// through RabbitMQ and PostgreSQL) while an <see cref="ActivityListener"/> records every span: a batch's
/// dispatch, its publish, the worker's consume, the worker's own spans and its database calls form one trace.
/// </summary>
public sealed class TraceTests : IAsyncDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("dla-trace-");
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly ConcurrentBag<Activity> _spans = [];
    private readonly ActivityListener _listener;
    private readonly List<WebApplication> _apps = [];

    public TraceTests(ITestOutputHelper output)
    {
        _output = output;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Dla" or "MassTransit" or "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Add,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
        _listener.Dispose();
        _work.Delete(recursive: true);
    }

    [Fact]
    public async Task A_batch_dispatch_the_workers_consume_and_its_database_writes_share_one_trace()
    {
        var golden = Executables.Golden();
        var services = await IsolatedServices.CreateAsync(_ct);
        foreach (var file in new[] { "baboon.jpg", "chelsea.png", "bad-truncated.jpg" })
        {
            await services.Container.UploadBlobAsync($"photos/{file}", BinaryData.FromBytes(await File.ReadAllBytesAsync(Path.Combine(golden, "images", "files", file), _ct)), _ct);
        }
        var cache = _work.CreateSubdirectory("cache").FullName;
        // The processes' environment variables, as configuration keys.
        var settings = services.Environment(cache).ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => e.Value);
        settings["Database:MigrateOnStartup"] = "true";
        settings["Logging:LogLevel:Default"] = "Warning";
        var scheduler = await StartAsync(SchedulerApp.Build([], builder => Configure(builder, settings)));
        await StartAsync(WorkerApp.Build([], builder =>
        {
            Configure(builder, settings);
            builder.Services.AddSingleton(_ => new HuggingFaceHub(new HubWeightsOptions { CacheDirectory = cache }));
        }));
        using var http = new HttpClient { BaseAddress = scheduler };

        var weights = Path.Combine(golden, "models", "dla46_c", "weights.safetensors");
        var submitted = await http.PostAsJsonAsync("/jobs", new { dataset = $"azure://{services.Container.Name}/photos/", model = "dla46_c", weights, batch_size = 2 }, _ct);
        Assert.True(submitted.IsSuccessStatusCode, await submitted.Content.ReadAsStringAsync(_ct));
        var jobId = (await submitted.Content.ReadFromJsonAsync<JsonNode>(_ct))!["id"]!.GetValue<string>();
        await JobPolling.WaitSucceededAsync(http, $"/jobs/{jobId}", TimeSpan.FromMinutes(5), _ct);

        var spans = _spans.ToList();
        var dispatches = spans.Where(s => s.Source.Name == "Dla" && s.OperationName == "dispatch batch" && Tag(s, "dla.job.id") == jobId).ToList();
        Assert.Equal(2, dispatches.Count);
        foreach (var dispatch in dispatches)
        {
            var trace = spans.Where(s => s.TraceId == dispatch.TraceId).ToDictionary(s => s.SpanId);
            Print(dispatch, trace, 0);
            Assert.Null(dispatch.Parent);
            Assert.Contains(trace.Values, s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Producer && IsUnder(s, dispatch, trace));
            var consume = Assert.Single(trace.Values, s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Consumer && Tag(s, "dla.job.id") == jobId);
            Assert.Equal(Tag(dispatch, "dla.batch.index"), Tag(consume, "dla.batch.index"));
            var predict = Assert.Single(trace.Values, s => s.Source.Name == "Dla" && s.OperationName == "predict batch");
            var write = Assert.Single(trace.Values, s => s.Source.Name == "Dla" && s.OperationName == "write results");
            Assert.True(IsUnder(predict, consume, trace) && IsUnder(write, consume, trace), "the worker's spans belong to its consume span");
            Assert.Contains(trace.Values, s => s.Source.Name == "Npgsql" && IsUnder(s, write, trace));
            Assert.Contains(trace.Values, s => s.Source.Name == "Npgsql" && s.ParentSpanId == consume.SpanId);
        }
    }

    private static void Configure(WebApplicationBuilder builder, Dictionary<string, string?> settings)
    {
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
    }

    private async Task<Uri> StartAsync(WebApplication app)
    {
        _apps.Add(app);
        await app.StartAsync(_ct);
        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    private void Print(Activity span, Dictionary<ActivitySpanId, Activity> trace, int depth)
    {
        _output.WriteLine($"{new string(' ', depth * 2)}{span.DisplayName} [{span.Source.Name}, {span.Kind}]");
        foreach (var child in trace.Values.Where(s => s.ParentSpanId == span.SpanId).OrderBy(s => s.StartTimeUtc))
        {
            Print(child, trace, depth + 1);
        }
    }

    private static string? Tag(Activity span, string key) => span.GetTagItem(key)?.ToString();

    /// <summary>True when <paramref name="ancestor"/> is <paramref name="span"/>'s parent, grandparent, ... within the trace.</summary>
    private static bool IsUnder(Activity span, Activity ancestor, Dictionary<ActivitySpanId, Activity> trace)
    {
        for (var parent = span.ParentSpanId; parent != default; parent = trace.TryGetValue(parent, out var next) ? next.ParentSpanId : default)
        {
            if (parent == ancestor.SpanId)
            {
                return true;
            }
        }
        return false;
    }
}
