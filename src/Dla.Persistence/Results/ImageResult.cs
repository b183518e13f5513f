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

    /// <summary>The embedding (pgvector <c>vector</c> on PostgreSQL, little-endian float32 blob on SQLite).</summary>
    public float[]? Embedding { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
