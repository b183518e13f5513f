namespace Dla.Testing;

/// <summary>A test's SQLite database file and the files SQLite and Dla keep beside it.</summary>
public static class SqliteFiles
{
    /// <summary>
    /// Deletes <paramref name="path"/> with its write-ahead log, shared-memory index, rollback journal and Dla's migration
    /// guard (<c>.migrating</c>, SqliteMigrationGuard), none of which SQLite removes when a test deletes the database.
    /// </summary>
    public static void Delete(string path)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal", ".migrating" })
        {
            File.Delete(path + suffix);
        }
    }
}
