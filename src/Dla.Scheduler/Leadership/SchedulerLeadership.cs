using Npgsql;

namespace Dla.Scheduler.Leadership;

/// <summary>
/// Which scheduler replica plans and dispatches. Every replica serves the API and consumes completion
/// events (both are safe to run anywhere), but only the leader lists datasets and relays the batch
/// outbox, so two replicas never publish the same batch twice or plan the same job at once.
/// On PostgreSQL the leader is the replica holding a session-level advisory lock on a dedicated
/// connection: PostgreSQL releases it when that session ends (the process died, or its connection
/// broke), and another replica takes over within <see cref="RetryInterval"/>. The leader checks its
/// connection every <see cref="CheckInterval"/> and steps down, cancelling its lease, when the check
/// fails. On SQLite there is one process, which always leads.
/// </summary>
public sealed partial class SchedulerLeadership(ILogger<SchedulerLeadership> logger, NpgsqlDataSource? dataSource = null) : BackgroundService
{
    /// <summary>How often a follower asks for the lock.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(2);

    /// <summary>How often the leader checks that the session holding the lock is alive.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);

    // An arbitrary, fixed key in this database's advisory lock space ("DLA" + 1).
    private const long LockKey = 0x444C4101;

    private readonly Lock _gate = new();
    private TaskCompletionSource<CancellationToken> _lease = NewLease();

    /// <summary>True while this replica leads.</summary>
    public bool IsLeader { get; private set; }

    /// <summary>
    /// Waits until this replica leads and returns a token that is cancelled when it stops leading
    /// (then call again). Work done under the token may be cut off at any point: everything the leader
    /// does must be safe to redo.
    /// </summary>
    public async Task<CancellationToken> AcquireAsync(CancellationToken stoppingToken)
    {
        // A granted lease is a completed task, which WaitAsync returns even after the caller was stopped.
        stoppingToken.ThrowIfCancellationRequested();
        Task<CancellationToken> lease;
        lock (_gate)
        {
            lease = _lease.Task;
        }
        return await lease.WaitAsync(stoppingToken);
    }

    /// <summary>
    /// Runs <paramref name="lead"/> each time this replica becomes leader, with a token that ends with the
    /// lease (or with <paramref name="stoppingToken"/>); returns when <paramref name="stoppingToken"/> ends.
    /// </summary>
    public async Task RunWhileLeadingAsync(Func<CancellationToken, Task> lead, CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                var lease = await AcquireAsync(stoppingToken);
                using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease);
                await lead(leading.Token);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (dataSource is null)
        {
            // SQLite: one process, nothing to elect (the lease never ends before shutdown).
            Grant(stoppingToken);
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                if (await TryLockAsync(connection, stoppingToken))
                {
                    await LeadAsync(connection, stoppingToken);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogLeadershipCheckFailed(ex);
            }
            try
            {
                await Task.Delay(RetryInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Holds the lease while the lock's session answers; steps down when it does not.</summary>
    private async Task LeadAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        // Not disposed: followers' linked tokens may still register on it after it is cancelled.
        var lease = new CancellationTokenSource();
        Grant(lease.Token);
        LogBecameLeader();
        try
        {
            while (true)
            {
                await Task.Delay(CheckInterval, stoppingToken);
                await using var check = new NpgsqlCommand("SELECT 1", connection);
                await check.ExecuteScalarAsync(stoppingToken);
            }
        }
        finally
        {
            Revoke(lease);
            if (!stoppingToken.IsCancellationRequested)
            {
                LogSteppedDown();
            }
            await ReleaseAsync(connection);
        }
    }

    /// <summary>
    /// Gives the lock up before the connection goes back to the pool, where its session (and the lock)
    /// would otherwise live on. A connection that cannot answer has lost its session, and the lock with it.
    /// </summary>
    private async Task ReleaseAsync(NpgsqlConnection connection)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            command.Parameters.AddWithValue("key", LockKey);
            await command.ExecuteScalarAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            LogReleaseFailed(ex);
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
        command.Parameters.AddWithValue("key", LockKey);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private void Grant(CancellationToken lease)
    {
        lock (_gate)
        {
            IsLeader = true;
            _lease.TrySetResult(lease);
        }
    }

    private void Revoke(CancellationTokenSource lease)
    {
        lock (_gate)
        {
            IsLeader = false;
            _lease = NewLease();
        }
        lease.Cancel();
    }

    private static TaskCompletionSource<CancellationToken> NewLease() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Information, Message = "This scheduler replica leads: it plans and dispatches")]
    private partial void LogBecameLeader();

    [LoggerMessage(Level = LogLevel.Warning, Message = "This scheduler replica stopped leading (its database session failed); another replica takes over")]
    private partial void LogSteppedDown();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Releasing the leadership lock failed (its session is gone, and the lock with it)")]
    private partial void LogReleaseFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leadership check failed; retrying")]
    private partial void LogLeadershipCheckFailed(Exception exception);
}
