using Dla.Persistence.Database;
using Dla.Persistence.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Dla.Testing;

/// <summary>
/// A fresh, migrated database on the real PostgreSQL for one test class, dropped afterwards. Created
/// on first use inside a test, so a missing server skips that test with the reason.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    /// <summary>Migrate only up to this migration (to test a later one on old data); null for all.</summary>
    public string? MigrateUpTo { get; init; }

    private readonly string _name = $"dla_test_{Guid.NewGuid():N}";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _server;
    private string? _connectionString;

    /// <summary>The connection string of the test database, creating and migrating it on first call.</summary>
    public async Task<string> ConnectionStringAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_connectionString is null)
            {
                _server = await RealServices.PostgresAsync();
                await ExecuteAsync(_server, $"CREATE DATABASE {_name}");
                var connectionString = new NpgsqlConnectionStringBuilder(_server) { Database = _name }.ConnectionString;
                await ExecuteAsync(connectionString, "CREATE EXTENSION IF NOT EXISTS vector");
                await using var context = new PostgresDlaDbContext(new DbContextOptionsBuilder<PostgresDlaDbContext>()
                    .UseNpgsql(connectionString, PostgresDlaDbContext.Configure).Options);
                await context.Database.MigrateAsync(MigrateUpTo);
                _connectionString = connectionString;
            }
            return _connectionString;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Configuration that points the application's <c>AddDlaDatabase</c> (and the result writer) at this database.</summary>
    public async Task<IConfiguration> ConfigurationAsync() => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Database:Provider"] = "postgres",
        ["ConnectionStrings:Postgres"] = await ConnectionStringAsync(),
    }).Build();

    /// <summary>The application's database services (<c>AddDlaDatabase</c>, <c>AddDlaResultWriter</c>) on this database.</summary>
    public async Task<ServiceProvider> ServicesAsync()
    {
        var configuration = await ConfigurationAsync();
        return new ServiceCollection().AddDlaDatabase(configuration).AddDlaResultWriter(configuration).BuildServiceProvider();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(_server, $"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
        }
        _gate.Dispose();
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
