using Dla.Persistence.Database;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dla.Integration.Tests.Hosting;

namespace Dla.Integration.Tests.Reliability;

/// <summary>
/// One scenario's deployment: the scheduler and workers as separate processes on a fresh database and
/// RabbitMQ virtual host of the private services, reading the shared dataset container, plus the HTTP
/// calls a user makes. Every process's log goes to the test output when the scenario ends.
/// </summary>
internal sealed class JobCluster : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _environment;
    private readonly ITestOutputHelper _output;
    private readonly List<(string Name, AppProcess Process)> _processes = [];
    private readonly int _schedulerPort = FreePort.Next();
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private readonly string _managementUrl;

    private JobCluster(IsolatedServices services, Dictionary<string, string?> environment, string managementUrl, ITestOutputHelper output)
    {
        _managementUrl = managementUrl;
        Services = services;
        _environment = environment;
        _output = output;
        Api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_schedulerPort}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public IsolatedServices Services { get; }

    public HttpClient Api { get; }

    /// <summary>
    /// A cluster on <paramref name="fixture"/>'s private services; <paramref name="settings"/> are added to
    /// both applications' environment, <paramref name="blobStorage"/> replaces their blob connection string.
    /// </summary>
    public static async Task<JobCluster> CreateAsync(ReliabilityFixture fixture, ITestOutputHelper output,
        IReadOnlyDictionary<string, string?>? settings = null, string? blobStorage = null)
    {
        var services = await IsolatedServices.CreateAsync(fixture.Services.Endpoints, fixture.Dataset.Container, TestContext.Current.CancellationToken);
        var environment = services.Environment(fixture.CacheDirectory);
        // Two workers share two cores: one inference thread and one decoder each.
        environment["Worker__IntraOpThreads"] = "1";
        environment["Worker__DecodeParallelism"] = "1";
        environment["Datasets__MaxImageBytes"] = $"{FaultDataset.MaxImageBytes}";
        environment["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Warning";
        environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
        if (blobStorage is not null)
        {
            environment["ConnectionStrings__BlobStorage"] = blobStorage;
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }
        return new JobCluster(services, environment, fixture.Services.Endpoints.RabbitMqManagement, output);
    }

    /// <summary>Starts the scheduler (always on the same port, so a restarted one answers at the same address).</summary>
    public async Task<AppProcess> StartSchedulerAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var process = Start("scheduler", Executables.Scheduler, _schedulerPort, settings);
        await process.WaitHealthyAsync($"http://127.0.0.1:{_schedulerPort}/health/ready", TimeSpan.FromMinutes(2), _ct);
        return process;
    }

    /// <summary>Starts a worker and waits until it is connected to the broker.</summary>
    public async Task<AppProcess> StartWorkerAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var port = FreePort.Next();
        var process = Start($"worker-{_processes.Count(p => p.Name.StartsWith("worker", StringComparison.Ordinal)) + 1}", Executables.Worker, port, settings);
        await process.WaitHealthyAsync($"http://127.0.0.1:{port}/health/ready", TimeSpan.FromMinutes(2), _ct);
        return process;
    }

    /// <summary>Starts the scheduler and <paramref name="workers"/> workers; returns the workers.</summary>
    public async Task<IReadOnlyList<AppProcess>> StartAsync(int workers = 2)
    {
        await StartSchedulerAsync();
        var started = new List<AppProcess>();
        for (var i = 0; i < workers; i++)
        {
            started.Add(await StartWorkerAsync());
        }
        return started;
    }

    /// <summary>Waits until a fifth of <paramref name="dataset"/> has an outcome: "the middle of the job" of most scenarios.</summary>
    public Task<Progress> WaitForAFifthAsync(Guid jobId, FaultDataset dataset) =>
        WaitAsync(jobId, p => p.Done >= dataset.Count / 5, TimeSpan.FromMinutes(5), "a fifth of the images");

    /// <summary>Submits a job over the dataset (dla46_c, labels and embeddings, batches of 8); returns its id.</summary>
    public async Task<Guid> SubmitAsync(FaultDataset dataset, object? thresholds = null)
    {
        var body = new JsonObject
        {
            ["dataset"] = dataset.Location,
            ["model"] = FaultDataset.Model,
            ["weights"] = dataset.Weights,
            ["tasks"] = new JsonArray("classify", "embed"),
            ["top_k"] = 5,
            ["batch_size"] = 8,
        };
        if (thresholds is not null)
        {
            foreach (var (key, value) in JsonSerializerNodes(thresholds))
            {
                body[key] = value;
            }
        }
        var response = await Api.PostAsJsonAsync("jobs", body, _ct);
        var text = await response.Content.ReadAsStringAsync(_ct);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, text);
        return Guid.Parse(JsonNode.Parse(text)!["id"]!.GetValue<string>());
    }

    /// <summary>The job's progress; null while the scheduler cannot answer (it may be down on purpose).</summary>
    public async Task<Progress?> TryProgressAsync(Guid jobId)
    {
        try
        {
            using var response = await Api.GetAsync($"jobs/{jobId}", _ct);
            return response.IsSuccessStatusCode ? Progress.From((await response.Content.ReadFromJsonAsync<JsonNode>(_ct))!["progress"]!) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !_ct.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<Progress> WaitAsync(Guid jobId, Func<Progress, bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        Progress? last = null;
        while (clock.Elapsed < timeout)
        {
            if (await TryProgressAsync(jobId) is { } progress)
            {
                last = progress;
                if (condition(progress))
                {
                    return progress;
                }
            }
            await Task.Delay(100, _ct);
        }
        throw new TimeoutException($"Waited {timeout} for {what}; last progress: {last}\n{Logs()}");
    }

    public Task<Progress> WaitFinalAsync(Guid jobId) => WaitAsync(jobId, p => p.IsFinal, TimeSpan.FromMinutes(8), "a final state");

    /// <summary>Time from now until the job's outcome count moves past <paramref name="done"/> (or it ends): the scenario's recovery time.</summary>
    public async Task<TimeSpan> TimeToProgressAsync(Guid jobId, long done)
    {
        var clock = Stopwatch.StartNew();
        await WaitAsync(jobId, p => p.Done > done || p.IsFinal, TimeSpan.FromMinutes(5), $"progress past {done} outcomes");
        return clock.Elapsed;
    }

    /// <summary>Messages in <paramref name="queue"/> of this cluster's virtual host (ready plus unacknowledged), from RabbitMQ's management API.</summary>
    public async Task<long> QueueMessagesAsync(string queue)
    {
        var rabbit = new Uri(Services.RabbitMq);
        using var management = new HttpClient { BaseAddress = new Uri(_managementUrl) };
        management.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(rabbit.UserInfo))));
        using var response = await management.GetAsync($"/api/queues/{Uri.EscapeDataString(rabbit.AbsolutePath.Trim('/'))}/{queue}", _ct);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return 0;
        }
        response.EnsureSuccessStatusCode();
        var node = (await response.Content.ReadFromJsonAsync<JsonNode>(_ct))!;
        return node["messages"]?.GetValue<long>() ?? 0;
    }

    /// <summary>True once <paramref name="queue"/> holds at least <paramref name="atLeast"/> messages; false after 30 s (the management API's counters lag by seconds).</summary>
    public async Task<bool> WaitQueueMessagesAsync(string queue, long atLeast)
    {
        var clock = Stopwatch.StartNew();
        while (await QueueMessagesAsync(queue) < atLeast)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                return false;
            }
            await Task.Delay(1000, _ct);
        }
        return true;
    }

    /// <summary>Waits until <paramref name="queue"/> holds no message, ready or in flight, for a few consecutive polls.</summary>
    public async Task WaitQueueIdleAsync(string queue)
    {
        var clock = Stopwatch.StartNew();
        var idlePolls = 0;
        while (idlePolls < 6)
        {
            // The management API refreshes its counters every few seconds, so "empty" must hold for a while.
            idlePolls = await QueueMessagesAsync(queue) == 0 ? idlePolls + 1 : 0;
            if (clock.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"{queue} did not drain within 5 minutes\n{Logs()}");
            }
            await Task.Delay(1000, _ct);
        }
    }

    /// <summary>How many times each batch of the job was published (batch index → dispatches), read from the database.</summary>
    public async Task<Dictionary<int, int>> BatchDispatchesAsync(Guid jobId) =>
        (await BatchesAsync(jobId)).ToDictionary(b => b.Index, b => b.Dispatches);

    /// <summary>The job's batches as the database holds them now.</summary>
    public async Task<List<BatchRow>> BatchesAsync(Guid jobId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(PostgresDlaDbContext.WithSearchPath(Services.Postgres));
        await connection.OpenAsync(_ct);
        await using var command = new Npgsql.NpgsqlCommand("""SELECT batch_index, state, dispatches, worker FROM batches WHERE job_id = $1""", connection) { Parameters = { new() { Value = jobId } } };
        await using var reader = await command.ExecuteReaderAsync(_ct);
        var batches = new List<BatchRow>();
        while (await reader.ReadAsync(_ct))
        {
            batches.Add(new BatchRow(reader.GetInt32(0), reader.GetString(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }
        return batches;
    }

    /// <summary>Lines of every process's log matching <paramref name="fragment"/>.</summary>
    public IEnumerable<(string Process, string Line)> LogLines(string fragment) =>
        _processes.SelectMany(p => p.Process.Log.Split('\n').Where(l => l.Contains(fragment, StringComparison.Ordinal)).Select(l => (p.Name, l)));

    public async ValueTask DisposeAsync()
    {
        _output.WriteLine(Logs());
        foreach (var (_, process) in _processes)
        {
            await process.DisposeAsync();
        }
        Api.Dispose();
    }

    private AppProcess Start(string name, string dll, int port, IReadOnlyDictionary<string, string?>? settings)
    {
        var environment = new Dictionary<string, string?>(_environment) { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }
        var process = AppProcess.Start(dll, environment);
        _processes.Add((name, process));
        return process;
    }

    private string Logs() => string.Join('\n', _processes.Select(p => $"----- {p.Name} (pid {p.Process.Id}) -----\n{Tail(p.Process.Log, 60)}"));

    private static string Tail(string log, int lines) => string.Join('\n', log.Split('\n').TakeLast(lines));

    private static IEnumerable<KeyValuePair<string, JsonNode?>> JsonSerializerNodes(object value) =>
        System.Text.Json.JsonSerializer.SerializeToNode(value)!.AsObject().Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value?.DeepClone()));
}

/// <summary>The parts of a job's progress the scenarios look at.</summary>
internal sealed record Progress(string State, long Total, bool TotalFinal, long Succeeded, long Failed, long Remaining, int FailedBatches, string? FailureReason)
{
    public long Done => Succeeded + Failed;

    public bool IsFinal => State is "succeeded" or "failed" or "cancelled";

    public static Progress From(JsonNode node) => new(
        node["state"]!.GetValue<string>(),
        node["total"]!.GetValue<long>(),
        node["total_final"]!.GetValue<bool>(),
        node["succeeded"]!.GetValue<long>(),
        node["failed"]!.GetValue<long>(),
        node["remaining"]!.GetValue<long>(),
        node["failed_batches"]!.GetValue<int>(),
        node["failure_reason"]?.GetValue<string>());
}

/// <summary>One batch row: its index, state (Planned, Queued, Started, …), dispatch count and the worker that last started it.</summary>
internal sealed record BatchRow(int Index, string State, int Dispatches, string? Worker);
