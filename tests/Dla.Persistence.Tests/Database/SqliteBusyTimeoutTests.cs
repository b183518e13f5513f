using Dla.Persistence.Database;
using Dla.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Dla.Persistence.Tests.Database;

/// <summary>
/// Every SQLite connection of the job database waits for another writer's lock inside SQLite (its busy timeout) rather than
/// failing at once into Microsoft.Data.Sqlite's 150 ms sleep.
/// </summary>
public sealed class SqliteBusyTimeoutTests : IDisposable
{
    private readonly SqliteTestDatabase _database = new();
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Connections_opened_by_the_job_database_wait_for_a_lock_up_to_the_command_timeout()
    {
        var configuration = await _database.ConfigurationAsync();
        await using var services = new ServiceCollection().AddDlaDatabase(configuration).BuildServiceProvider();
        await using var db = await services.GetRequiredService<IDlaDbContextFactory>().CreateAsync(_ct);

        await db.Database.OpenConnectionAsync(_ct);
        var asynchronous = await BusyTimeoutAsync(db);
        await db.Database.CloseConnectionAsync();
        db.Database.OpenConnection();
        var synchronous = await BusyTimeoutAsync(db);

        Assert.Equal(30_000, asynchronous);
        Assert.Equal(30_000, synchronous);
    }

    [Fact]
    public async Task A_writer_blocked_by_another_connections_transaction_stores_its_row_once_the_lock_is_released()
    {
        var configuration = await _database.ConfigurationAsync();
        await using var services = new ServiceCollection().AddDlaDatabase(configuration).BuildServiceProvider();
        var databases = services.GetRequiredService<IDlaDbContextFactory>();
        await using var holder = await databases.CreateAsync(_ct);
        await holder.Database.ExecuteSqlRawAsync("CREATE TABLE busy_probe (name TEXT NOT NULL)", _ct);
        await using var transaction = await holder.Database.BeginTransactionAsync(_ct);
        await holder.Database.ExecuteSqlRawAsync("INSERT INTO busy_probe VALUES ('held')", _ct);

        await using var writer = await databases.CreateAsync(_ct);
        var blocked = Task.Run(() => writer.Database.ExecuteSqlRawAsync("INSERT INTO busy_probe VALUES ('waiting')", _ct), _ct);
        await Task.Delay(50, _ct);
        Assert.False(blocked.IsCompleted);
        await transaction.CommitAsync(_ct);
        await blocked;

        Assert.Equal(2, await holder.Database.SqlQueryRaw<int>("SELECT count(*) AS \"Value\" FROM busy_probe").SingleAsync(_ct));
    }

    private async Task<long> BusyTimeoutAsync(DlaDbContext db)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA busy_timeout";
        return (long)(await command.ExecuteScalarAsync(_ct))!;
    }

    public void Dispose() => _database.Dispose();
}
