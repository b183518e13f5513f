using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Dla.Persistence.Database;

/// <summary>Lets <c>dotnet ef migrations add</c> build the PostgreSQL context without a running server.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresDlaDbContext>
{
    public PostgresDlaDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresDlaDbContext>().UseNpgsql("Host=localhost;Database=dla", PostgresDlaDbContext.Configure).Options);
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite context.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteDlaDbContext>
{
    public SqliteDlaDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteDlaDbContext>().UseSqlite("Data Source=design.db").Options);
}
