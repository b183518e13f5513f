using Dla.Persistence.Results;
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
    /// One pgvector column per embedding size (<see cref="EmbeddingColumns"/>): <c>vector(256)</c>,
    /// <c>vector(512)</c>, <c>vector(1024)</c> and an unsized <c>vector</c> for any other size, plus an unsized
    /// <c>halfvec</c> for fp16 jobs. Only the column of the row's size and precision is set. The columns are mapped through private views of
    /// <see cref="ImageResult.Embedding"/>, which is itself not a column here.
    /// </summary>
    protected override void MapEmbedding(EntityTypeBuilder<ImageResult> result)
    {
        result.Ignore(r => r.Embedding);
        foreach (var dimension in EmbeddingColumns.SizedDimensions)
        {
            MapColumn(result, EmbeddingColumns.For(dimension), $"vector({dimension})");
        }
        MapColumn(result, EmbeddingColumns.AnySize, "vector");
        result.Property<float[]?>(EmbeddingColumns.Half).HasColumnType("halfvec").HasConversion(ToHalfVector, EmbeddingComparer);
    }

    private static void MapColumn(EntityTypeBuilder<ImageResult> result, string column, string type) =>
        result.Property<float[]?>(column).HasColumnType(type).HasConversion(ToVector, EmbeddingComparer);

    // Rounds to the nearest float16 on the way in, and widens exactly on the way out.
    private static readonly ValueConverter<float[]?, HalfVector?> ToHalfVector = new(
        v => v == null ? null : HalfVectors.Of(v),
        v => v == null ? null : HalfVectors.ToSingles(v));

    private static readonly ValueConverter<float[]?, Vector?> ToVector = new(
        v => v == null ? null : new Vector(v),
        v => v == null ? null : v.ToArray());
}
