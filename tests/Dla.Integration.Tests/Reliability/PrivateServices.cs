using System.Diagnostics;
using Npgsql;
using Dla.Integration.Tests.Hosting;

namespace Dla.Integration.Tests.Reliability;

/// <summary>
/// A second, private set of the real services (PostgreSQL, RabbitMQ, Azurite) started by
/// <c>scripts/services.sh</c> on their own ports and data directory, so the fault scenarios can
/// restart the broker and stop the database without disturbing tests that use the shared set. Every
/// port lies below Linux's ephemeral range (32768–60999), so no outgoing connection can hold it.
/// </summary>
internal sealed class PrivateServices
{
    private const int PostgresPort = 25452, RabbitMqPort = 5693, ManagementPort = 15693, AzuritePort = 10030, EpmdPort = 4371;

    /// <summary>Every port the private set listens on (the Erlang distribution port is the AMQP port + 20000).</summary>
    public static IReadOnlyList<int> Ports { get; } = [PostgresPort, RabbitMqPort, ManagementPort, AzuritePort, EpmdPort, RabbitMqPort + 20000];

    private const string ServicesDirectory = "/tmp/dla-fault-services";

    private static readonly Dictionary<string, string> ScriptEnvironment = new()
    {
        ["DLA_SERVICES_DIR"] = ServicesDirectory,
        ["DLA_PG_PORT"] = $"{PostgresPort}",
        ["DLA_RABBITMQ_PORT"] = $"{RabbitMqPort}",
        ["DLA_RABBITMQ_MANAGEMENT_PORT"] = $"{ManagementPort}",
        ["DLA_RABBITMQ_NODENAME"] = "dlafaults@localhost",
        // Its own epmd: stopping this broker kills its epmd, which must not be the shared set's.
        ["DLA_EPMD_PORT"] = $"{EpmdPort}",
        ["DLA_AZURITE_PORT"] = $"{AzuritePort}",
    };

    private readonly IReadOnlyDictionary<string, string> _scriptEnvironment = ScriptEnvironment;

    private PrivateServices(ServiceEndpoints endpoints) => Endpoints = endpoints;

    /// <summary>Where the private services answer.</summary>
    public ServiceEndpoints Endpoints { get; }

    /// <summary>Why the scenarios cannot run here, or null when they can.</summary>
    public static string? Unavailable() =>
        Environment.GetEnvironmentVariable("DLA_SERVICES") == "up"
            ? null
            : "The fault scenarios start private copies of the services with scripts/services.sh; run them under "
              + "`eval \"$(scripts/services.sh env)\"` (scripts/test.sh and .ci/run do).";

    /// <summary>
    /// Starts the private services from empty data directories and reads their connection settings. Copies left
    /// running by a killed test run are stopped first, and their data deleted: kept across runs, it grew to
    /// gigabytes of old test virtual hosts that RabbitMQ spent minutes recovering at every start.
    /// </summary>
    public static async Task<PrivateServices> StartAsync(CancellationToken cancellationToken)
    {
        await RunScriptAsync(ScriptEnvironment, "down", cancellationToken);
        DeleteData();
        await RunScriptAsync(ScriptEnvironment, "up", cancellationToken);
        var settings = (await RunScriptAsync(ScriptEnvironment, "env", cancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.StartsWith("export ", StringComparison.Ordinal) ? line[7..] : line)
            .Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1].Trim('\''));
        return new PrivateServices(new ServiceEndpoints(
            settings["ConnectionStrings__Postgres"],
            settings["ConnectionStrings__RabbitMq"],
            settings["ConnectionStrings__BlobStorage"],
            $"http://127.0.0.1:{ManagementPort}"));
    }

    public Task RestartRabbitMqAsync(CancellationToken cancellationToken) => RunScriptAsync(_scriptEnvironment, "restart-rabbitmq", cancellationToken);

    public Task StopPostgresAsync(CancellationToken cancellationToken) => RunScriptAsync(_scriptEnvironment, "stop-postgres", cancellationToken);

    public async Task StartPostgresAsync(CancellationToken cancellationToken)
    {
        await RunScriptAsync(_scriptEnvironment, "start-postgres", cancellationToken);
        // This test process's pooled connections died with the server.
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Stops the private services and deletes their data.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await RunScriptAsync(_scriptEnvironment, "down", cancellationToken);
        DeleteData();
    }

    private static void DeleteData()
    {
        if (Directory.Exists(ServicesDirectory))
        {
            Directory.Delete(ServicesDirectory, recursive: true);
        }
    }

    private static async Task<string> RunScriptAsync(IReadOnlyDictionary<string, string> environment, string command, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(Executables.RepositoryRoot, "scripts", "services.sh"));
        info.ArgumentList.Add(command);
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/services.sh {command} exited with {process.ExitCode}:\n{await errors}");
        }
        return await output;
    }
}
