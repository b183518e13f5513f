using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Dla.Persistence.Database;

/// <summary>
/// Migrates a SQLite file without waiting forever on a dead process. EF Core marks a migration in progress with a
/// row in <c>__EFMigrationsLock</c> and deletes it when done; a process killed mid-migration (Ctrl-C during the
/// first <c>dla run</c> after an upgrade) leaves the row behind, and every later migration of that file then waits
/// for it forever. Dla's migrators therefore also hold an operating-system lock on a file beside the database,
/// which the kernel releases when its process dies: whoever holds it is the only Dla migrator of that database,
/// so a lock row it finds is stale, and is removed with a warning.
/// </summary>
public static partial class SqliteMigrationGuard
{
    private const string LockTable = "__EFMigrationsLock";

    /// <summary>Applies the pending migrations of the SQLite database <paramref name="db"/>.</summary>
    public static async Task MigrateAsync(DlaDbContext db, ILogger logger, CancellationToken cancellationToken)
    {
        var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        if (string.IsNullOrEmpty(file) || file == ":memory:")
        {
            await db.Database.MigrateAsync(cancellationToken);
            return;
        }
        await using var guard = await HoldAsync(Path.GetFullPath(file) + ".migrating", logger, cancellationToken);
        if (await RemoveStaleLockAsync(db, cancellationToken) is > 0)
        {
            LogStaleLock(logger, file);
        }
        await db.Database.MigrateAsync(cancellationToken);
    }

    /// <summary>Takes the guard file exclusively, waiting while another process holds it.</summary>
    private static async Task<FileStream> HoldAsync(string path, ILogger logger, CancellationToken cancellationToken)
    {
        var waiting = false;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive flock() on Unix and a sharing lock on Windows: both end with the process.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(path))
            {
                if (!waiting)
                {
                    LogWaiting(logger, path);
                    waiting = true;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
            }
        }
    }

    private static async Task<int> RemoveStaleLockAsync(DlaDbContext db, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var exists = connection.CreateCommand();
            exists.CommandText = $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{LockTable}'";
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                return 0;
            }
            await using var delete = connection.CreateCommand();
            delete.CommandText = $"DELETE FROM \"{LockTable}\"";
            return await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed a stale migration lock from {File}: an earlier process was stopped while it migrated the database")]
    private static partial void LogStaleLock(ILogger logger, string file);

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting for another process to finish migrating the database ({Path} is held)")]
    private static partial void LogWaiting(ILogger logger, string path);
}
