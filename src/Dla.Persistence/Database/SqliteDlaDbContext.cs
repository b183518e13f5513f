using System.Runtime.InteropServices;
using Dla.Persistence.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Dla.Persistence.Database;

/// <summary>The job database in a SQLite file (the embedded, zero-infrastructure mode).</summary>
public sealed class SqliteDlaDbContext(DbContextOptions<SqliteDlaDbContext> options) : DlaDbContext(options)
{
    public override bool IsPostgres => false;

    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        base.OnConfiguring(optionsBuilder);
        optionsBuilder.ReplaceService<IHistoryRepository, SqliteDlaHistoryRepository>();
    }

    /// <summary>Little-endian float32 bytes, the layout <see cref="MemoryMarshal"/> gives on every supported platform.</summary>
    protected override void MapEmbedding(EntityTypeBuilder<ImageResult> result) =>
        result.Property(r => r.Embedding).HasColumnType("BLOB").HasConversion(new ValueConverter<float[]?, byte[]?>(
            v => v == null ? null : ToBytes(v),
            v => v == null ? null : ToFloats(v)), EmbeddingComparer);

    /// <summary>A <see cref="Guid"/> as this provider stores it (uppercase text), for statements written by hand.</summary>
    public static string ToText(Guid id) => id.ToString().ToUpperInvariant();

    /// <summary>Embedding → blob.</summary>
    public static byte[] ToBytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    /// <summary>Blob → embedding.</summary>
    public static float[] ToFloats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes.AsSpan()).ToArray();
}
