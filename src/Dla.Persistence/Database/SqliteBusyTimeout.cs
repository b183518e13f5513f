using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Dla.Persistence.Database;

/// <summary>
/// Sets SQLite's busy timeout on every connection the job database opens, so a writer that finds another connection's
/// write lock waits inside the engine, which retries after 1, 2, 5, 10… ms. Without it SQLite reports the lock at once and
/// Microsoft.Data.Sqlite sleeps 150 ms before each retry. The embedded run has several writers in one process (a batch's
/// results, lease starts and heartbeats, the dispatcher, job completion): a writer that met a 5 ms transaction waited
/// 152 ms, and a batch that met one took 0.15 s longer (docs/benchmarks.md, "Session 18").
/// </summary>
internal sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    /// <summary>
    /// As long as a command's default timeout (30 s): a lock held longer is a fault, and the statement then fails with
    /// SQLITE_BUSY as it did before.
    /// </summary>
    public const int Milliseconds = 30_000;

    private static readonly string Pragma = $"PRAGMA busy_timeout = {Milliseconds};";

    /// <summary>The interceptor; it holds no state.</summary>
    public static SqliteBusyTimeout Instance { get; } = new();

    /// <inheritdoc />
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
