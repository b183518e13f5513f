using Dla.Persistence.Database;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dla.Persistence.Tests.Database;

/// <summary>
/// A process killed while migrating a SQLite file leaves EF Core's lock row behind; the next migration must clear
/// it instead of waiting forever, but must still wait for a migrator that is alive.
/// </summary>
public sealed class SqliteMigrationGuardTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("dla-migration-guard-");
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private string File => Path.Combine(_work.FullName, "dla.db");

    [Fact]
    public async Task A_lock_row_left_by_a_killed_migration_is_removed_with_a_warning_and_the_migration_runs()
    {
        await using (var first = Context())
        {
            // Migrations are left to apply, so the next migration takes EF's lock (and, without the guard, waits for it forever).
            await first.Database.MigrateAsync(first.Database.GetMigrations().First(), _ct);
            // What a process killed inside MigrateAsync leaves: EF's own lock row, written the way EF writes it.
            await first.Database.ExecuteSqlRawAsync(
                """CREATE TABLE IF NOT EXISTS "__EFMigrationsLock" ("Id" INTEGER NOT NULL PRIMARY KEY, "Timestamp" TEXT NOT NULL); INSERT INTO "__EFMigrationsLock" VALUES (1, '2026-12-01 10:00:00+00:00');""", _ct);
        }
        var logger = new RecordingLogger();

        await using var second = Context();
        await SqliteMigrationGuard.MigrateAsync(second, logger, _ct);

        Assert.Empty(await second.Database.GetPendingMigrationsAsync(_ct));
        Assert.Equal(0, await second.Database.SqlQueryRaw<int>("""SELECT count(*) AS "Value" FROM "__EFMigrationsLock" """).SingleAsync(_ct));
        Assert.Contains(logger.Warnings, w => w.Contains("stale migration lock", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_migration_waits_while_another_process_holds_the_guard_and_runs_once_it_is_released()
    {
        var guard = new FileStream(File + ".migrating", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        await using var db = Context();
        var migration = SqliteMigrationGuard.MigrateAsync(db, NullLogger.Instance, _ct);

        // Held by "another migrator": nothing may happen to the database meanwhile.
        await Task.Delay(TimeSpan.FromSeconds(1), _ct);
        Assert.False(migration.IsCompleted);
        await guard.DisposeAsync();
        await migration;

        Assert.Empty(await db.Database.GetPendingMigrationsAsync(_ct));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _work.Delete(recursive: true);
    }

    private SqliteDlaDbContext Context() =>
        new(new DbContextOptionsBuilder<SqliteDlaDbContext>().UseSqlite($"Data Source={File}").Options);

    private sealed class RecordingLogger : ILogger
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
        }
    }
}
