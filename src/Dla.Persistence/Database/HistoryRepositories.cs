using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Sqlite.Migrations.Internal;
using Npgsql.EntityFrameworkCore.PostgreSQL.Migrations.Internal;

#pragma warning disable EF1001 // The providers' history repositories are internal API; overriding one method of each is their documented extension point.

namespace Dla.Persistence.Database;

/// <summary>
/// The snake_case naming convention (<see cref="DlaDbContext"/>) would also rename the migrations history table's
/// columns to <c>migration_id</c> and <c>product_version</c>; every database created before it has <c>"MigrationId"</c>
/// and <c>"ProductVersion"</c>, and EF could no longer read which migrations it has. The history keeps its names.
/// </summary>
internal static class HistoryColumns
{
    public static void KeepPascalCase(EntityTypeBuilder<HistoryRow> history)
    {
        history.Property(h => h.MigrationId).HasColumnName(nameof(HistoryRow.MigrationId));
        history.Property(h => h.ProductVersion).HasColumnName(nameof(HistoryRow.ProductVersion));
    }
}

/// <summary>PostgreSQL's history repository with the history table's original column names.</summary>
internal sealed class PostgresHistoryRepository(HistoryRepositoryDependencies dependencies) : NpgsqlHistoryRepository(dependencies)
{
    protected override void ConfigureTable(EntityTypeBuilder<HistoryRow> history)
    {
        base.ConfigureTable(history);
        HistoryColumns.KeepPascalCase(history);
    }
}

/// <summary>SQLite's history repository with the history table's original column names.</summary>
internal sealed class SqliteDlaHistoryRepository(HistoryRepositoryDependencies dependencies) : SqliteHistoryRepository(dependencies)
{
    protected override void ConfigureTable(EntityTypeBuilder<HistoryRow> history)
    {
        base.ConfigureTable(history);
        HistoryColumns.KeepPascalCase(history);
    }
}
