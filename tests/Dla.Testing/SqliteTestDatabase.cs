using Dla.Persistence.Database;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace Dla.Testing;

/// <summary>A migrated SQLite database in a temporary file, for one test; the file is deleted afterwards.</summary>
public sealed class SqliteTestDatabase : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"dla-test-{Guid.NewGuid():N}.db");
    private bool _migrated;

    /// <summary>Configuration that points the application's <c>AddDlaDatabase</c> (and the result writer) at this database.</summary>
    public async Task<IConfiguration> ConfigurationAsync()
    {
        // No pooling, so no connection keeps the file open once the test is done with it.
        var connectionString = $"Data Source={_path};Pooling=False";
        if (!_migrated)
        {
            await using var context = new SqliteDlaDbContext(new DbContextOptionsBuilder<SqliteDlaDbContext>().UseSqlite(connectionString).Options);
            await context.Database.MigrateAsync();
            _migrated = true;
        }
        return new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "sqlite",
            ["ConnectionStrings:Sqlite"] = connectionString,
        }).Build();
    }

    /// <inheritdoc />
    public void Dispose() => SqliteFiles.Delete(_path);
}
