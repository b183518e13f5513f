using System.ComponentModel.DataAnnotations.Schema;

namespace Dla.Persistence.Results;

/// <summary>The outcome of one successfully processed image: labels and/or embedding. Keyed by (job, image).</summary>
public sealed class ImageResult
{
    public Guid JobId { get; set; }

    public long ImageId { get; set; }

    /// <summary>Top-1 class index, or null for embedding-only jobs.</summary>
    public int? Top1Index { get; set; }

    public string? Top1Label { get; set; }

    public float? Top1Probability { get; set; }

    /// <summary>Top-k as JSON: <c>[{"index": 1, "label": "...", "probability": 0.9}, ...]</c>.</summary>
    public string? TopKJson { get; set; }

    /// <summary>
    /// The embedding: on PostgreSQL in the pgvector column sized to its length (<see cref="EmbeddingColumns"/>),
    /// on SQLite a little-endian float32 blob.
    /// </summary>
    public float[]? Embedding { get; set; }

    /// <summary>
    /// True when <see cref="Embedding"/> is kept at half precision (the job's <c>embedding_precision</c> is fp16): on
    /// PostgreSQL in the <c>halfvec</c> column, on SQLite as float32 values rounded to float16. Set when a row is loaded
    /// from PostgreSQL; the result writers decide the precision from the job row, under the job's lock.
    /// </summary>
    [NotMapped]
    public bool HalfPrecision { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    // The PostgreSQL columns, as views of Embedding for PostgresDlaDbContext to map (SQLite maps
    // Embedding itself). Each reads the embedding only when it belongs in that column; on load, the
    // one column that is not null sets it.
    private float[]? EmbeddingHalf
    {
        get => HalfPrecision ? Embedding : null;
        set
        {
            HalfPrecision |= value is not null;
            Load(value);
        }
    }

    private float[]? Embedding256 { get => InColumn(256); set => Load(value); }

    private float[]? Embedding512 { get => InColumn(512); set => Load(value); }

    private float[]? Embedding1024 { get => InColumn(1024); set => Load(value); }

    private float[]? EmbeddingAnySize
    {
        get => !HalfPrecision && Embedding is { } e && !EmbeddingColumns.IsSized(e.Length) ? e : null;
        set => Load(value);
    }

    private float[]? InColumn(int dimension) => !HalfPrecision && Embedding?.Length == dimension ? Embedding : null;

    private void Load(float[]? value)
    {
        if (value is not null)
        {
            Embedding = value;
        }
    }
}
