using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Pgvector;

namespace Dla.Persistence.Database;

/// <summary>The job database on PostgreSQL with pgvector (the distributed mode).</summary>
public sealed class PostgresDlaDbContext(DbContextOptions<PostgresDlaDbContext> options) : DlaDbContext(options)
{
    public override bool IsPostgres => true;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasPostgresExtension("vector");
        base.OnModelCreating(modelBuilder);
    }

    /// <summary>
    /// An unsized <c>vector</c> column: jobs with different models (256, 512, 1024 dims) share the
    /// table; similarity search builds a per-job HNSW index on a cast to the job's dimension.
    /// </summary>
    protected override void MapEmbedding(PropertyBuilder<float[]?> embedding) =>
        embedding.HasColumnType("vector").HasConversion(new ValueConverter<float[]?, Vector?>(
            v => v == null ? null : new Vector(v),
            v => v == null ? null : v.ToArray()));
}
