using Dla.Testing;
using Dla.Persistence.Database;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Dla.Worker.Tests.Batches;

/// <summary>The worker over a SQLite file (the embedded mode's database).</summary>
public sealed class SqliteWorkerHost : WorkerHost
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"dla-worker-{Guid.NewGuid():N}.db");

    protected override async Task<Dictionary<string, string?>> DatabaseAsync()
    {
        var connectionString = $"Data Source={_path}";
        await using var context = new SqliteDlaDbContext(new DbContextOptionsBuilder<SqliteDlaDbContext>().UseSqlite(connectionString).Options);
        await context.Database.MigrateAsync();
        return new() { ["Database:Provider"] = "sqlite", ["ConnectionStrings:Sqlite"] = connectionString };
    }

    protected override ValueTask DisposeDatabaseAsync()
    {
        SqliteConnection.ClearAllPools();
        SqliteFiles.Delete(_path);
        return ValueTask.CompletedTask;
    }
}

/// <summary>The worker over a fresh database on the real PostgreSQL.</summary>
public sealed class PostgresWorkerHost : WorkerHost
{
    private readonly PostgresTestDatabase _database = new();

    protected override async Task<Dictionary<string, string?>> DatabaseAsync() =>
        new() { ["Database:Provider"] = "postgres", ["ConnectionStrings:Postgres"] = await _database.ConnectionStringAsync() };

    protected override ValueTask DisposeDatabaseAsync() => _database.DisposeAsync();
}
