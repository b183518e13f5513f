using Dla.Persistence.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Pgvector;

namespace Dla.Persistence.Database;

/// <summary>The job database on PostgreSQL with pgvector (the distributed mode).</summary>
public sealed class PostgresDlaDbContext(DbContextOptions<PostgresDlaDbContext> options) : DlaDbContext(options)
{
    /// <summary>The schema of Dla's tables and of the <c>dla.image_labels</c> view (docs/sql.md).</summary>
    public const string Schema = "dla";

    /// <summary>
    /// The search path of Dla's connections: its own schema first, then <c>public</c>, where pgvector's types live.
    /// Raw SQL names tables without a schema, as on SQLite.
    /// </summary>
    public const string SearchPath = "dla, public";

    public override bool IsPostgres => true;

    /// <summary><paramref name="connectionString"/> with <see cref="SearchPath"/>, for connections that run Dla's raw SQL.</summary>
    public static string WithSearchPath(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = SearchPath }.ConnectionString;

    /// <summary>
    /// Npgsql options every PostgreSQL context needs: pgvector, and the migrations history table kept in <c>public</c>,
    /// where it was before the tables moved to <see cref="Schema"/> (found there, an existing database migrates on).
    /// </summary>
    public static void Configure(NpgsqlDbContextOptionsBuilder npgsql)
    {
        ArgumentNullException.ThrowIfNull(npgsql);
        npgsql.UseVector();
        npgsql.MigrationsHistoryTable(HistoryRepository.DefaultTableName, "public");
    }

    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        base.OnConfiguring(optionsBuilder);
        optionsBuilder.ReplaceService<IHistoryRepository, PostgresHistoryRepository>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasPostgresExtension("vector");
        modelBuilder.HasDefaultSchema(Schema);
        base.OnModelCreating(modelBuilder);
    }

    protected override void MapTopK(PropertyBuilder<string?> topK) => topK.HasColumnType("jsonb");

    /// <summary>
    /// One pgvector column per embedding size (<see cref="EmbeddingColumns"/>): <c>vector(256)</c>,
    /// <c>vector(512)</c>, <c>vector(1024)</c> and an unsized <c>vector</c> for any other size, plus an unsized
    /// <c>halfvec</c> for fp16 jobs. Only the column of the row's size and precision is set. The columns are mapped through private views of
    /// <see cref="ImageResult.Embedding"/>, which is itself not a column here.
    /// </summary>
    protected override void MapEmbedding(EntityTypeBuilder<ImageResult> result)
    {
        result.Ignore(r => r.Embedding);
        // The properties are ImageResult's private views, named in PascalCase; the columns are EmbeddingColumns'.
        foreach (var dimension in EmbeddingColumns.SizedDimensions)
        {
            MapColumn(result, $"Embedding{dimension}", EmbeddingColumns.For(dimension), $"vector({dimension})");
        }
        MapColumn(result, "EmbeddingAnySize", EmbeddingColumns.AnySize, "vector");
        result.Property<float[]?>("EmbeddingHalf").HasColumnName(EmbeddingColumns.Half).HasColumnType("halfvec").HasConversion(ToHalfVector, EmbeddingComparer);
    }

    private static void MapColumn(EntityTypeBuilder<ImageResult> result, string property, string column, string type) =>
        result.Property<float[]?>(property).HasColumnName(column).HasColumnType(type).HasConversion(ToVector, EmbeddingComparer);

    // Rounds to the nearest float16 on the way in, and widens exactly on the way out.
    private static readonly ValueConverter<float[]?, HalfVector?> ToHalfVector = new(
        v => v == null ? null : HalfVectors.Of(v),
        v => v == null ? null : HalfVectors.ToSingles(v));

    private static readonly ValueConverter<float[]?, Vector?> ToVector = new(
        v => v == null ? null : new Vector(v),
        v => v == null ? null : v.ToArray());
}
