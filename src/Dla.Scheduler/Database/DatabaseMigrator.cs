using Dla.Persistence.Database;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Dla.Scheduler.Database;

/// <summary>
/// Applies pending migrations at start-up when <c>Database:MigrateOnStartup</c> is set. Registered
/// before every other hosted service, and hosted services start in order, so the planner, the
/// dispatcher and the bus only ever see a migrated schema.
/// </summary>
public sealed class DatabaseMigrator(IDlaDbContextFactory databases, IOptions<DatabaseOptions> options, ILogger<DatabaseMigrator> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.MigrateOnStartup)
        {
            return;
        }
        await using var db = await databases.CreateAsync(cancellationToken);
        if (db.IsPostgres)
        {
            // PostgreSQL releases its migration lock when the session that holds it ends.
            await db.Database.MigrateAsync(cancellationToken);
        }
        else
        {
            await SqliteMigrationGuard.MigrateAsync(db, logger, cancellationToken);
            // Write-ahead logging lets the API read while the planner and the writers write.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
