using DotNet.Testcontainers.Builders;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;
using Xunit;

namespace Dla.Testing;

/// <summary>
/// Connection settings of the real services tests run against. Preference order: the environment
/// (<c>eval "$(scripts/services.sh env)"</c>, which .ci/run does), then Testcontainers where a Docker
/// engine exists, else the test is skipped with the reason. Containers start once per test run.
/// </summary>
public static class RealServices
{
    private static readonly Lazy<Task<string?>> PostgresContainer = new(StartPostgresAsync);
    private static readonly Lazy<Task<string?>> RabbitMqContainer = new(StartRabbitMqAsync);

    /// <summary>Npgsql connection string of a PostgreSQL with pgvector.</summary>
    public static async Task<string> PostgresAsync() =>
        Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") is { Length: > 0 } configured
            ? configured
            : await PostgresContainer.Value ?? throw Skip("PostgreSQL");

    /// <summary>AMQP URI of a RabbitMQ broker.</summary>
    public static async Task<string> RabbitMqAsync() =>
        Environment.GetEnvironmentVariable("ConnectionStrings__RabbitMq") is { Length: > 0 } configured
            ? configured
            : await RabbitMqContainer.Value ?? throw Skip("RabbitMQ");

    /// <summary>Connection string of an Azure Blob Storage endpoint (Azurite).</summary>
    public static string BlobStorage() =>
        Environment.GetEnvironmentVariable("ConnectionStrings__BlobStorage") is { Length: > 0 } configured
            ? configured
            : throw Skip("Azurite (blob storage)");

    private static InvalidOperationException Skip(string service)
    {
        Assert.Skip($"{service} is not available: run `eval \"$(scripts/services.sh up >&2; scripts/services.sh env)\"` first (no Docker engine here for Testcontainers).");
        return new InvalidOperationException("unreachable");
    }

    private static async Task<string?> StartPostgresAsync()
    {
        try
        {
            var container = new PostgreSqlBuilder("pgvector/pgvector:pg16").Build();
            await container.StartAsync();
            return container.GetConnectionString();
        }
        catch (DockerUnavailableException)
        {
            return null;
        }
    }

    private static async Task<string?> StartRabbitMqAsync()
    {
        try
        {
            var container = new RabbitMqBuilder("rabbitmq:3.13-management").Build();
            await container.StartAsync();
            return container.GetConnectionString();
        }
        catch (DockerUnavailableException)
        {
            return null;
        }
    }
}
