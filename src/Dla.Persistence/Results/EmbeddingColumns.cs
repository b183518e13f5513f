namespace Dla.Persistence.Results;

/// <summary>
/// Where PostgreSQL keeps an embedding: in the pgvector column sized to its length — <c>vector(256)</c>
/// for the <c>_c</c> models, <c>vector(512)</c> for dla34, <c>vector(1024)</c> for the others — so the
/// database checks every row's size and a job's HNSW index sits on a plain column. Embeddings of any
/// other size (custom architectures, ONNX files) go to one unsized <c>vector</c> column, indexed through
/// a cast to the job's size. Jobs with <c>embedding_precision: fp16</c> keep theirs, of any size, in one unsized
/// <c>halfvec</c> column (2 bytes a value), indexed the same way through a cast. SQLite has no vector types and keeps
/// one float32 blob column.
/// </summary>
public static class EmbeddingColumns
{
    /// <summary>The sizes that have their own column.</summary>
    public static readonly IReadOnlyList<int> SizedDimensions = [256, 512, 1024];

    /// <summary>The unsized column, for embeddings of every other size.</summary>
    public const string AnySize = "embedding_any_size";

    /// <summary>The <c>halfvec</c> column of fp16 jobs' embeddings (<see cref="Jobs.EmbeddingPrecisions.Fp16"/>).</summary>
    public const string Half = "embedding_half";

    /// <summary>Every embedding column of <c>results</c> on PostgreSQL.</summary>
    public static IReadOnlyList<string> All { get; } = [.. SizedDimensions.Select(SizedName), AnySize, Half];

    /// <summary>True when embeddings of this size have their own column.</summary>
    public static bool IsSized(int dimension) => SizedDimensions.Contains(dimension);

    /// <summary>The column that holds float32 embeddings of this size.</summary>
    public static string For(int dimension) => IsSized(dimension) ? SizedName(dimension) : AnySize;

    /// <summary>The column that holds embeddings of this size at this precision (<see cref="Jobs.EmbeddingPrecisions"/>).</summary>
    public static string For(int dimension, string precision) => precision == Jobs.EmbeddingPrecisions.Fp16 ? Half : For(dimension);

    /// <summary>
    /// The SQL expression a job's HNSW index is built on and a search orders by (they must match for
    /// the planner to use the index): the sized column itself, or the unsized one cast to the size.
    /// </summary>
    public static string IndexExpression(int dimension, string precision)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        return precision == Jobs.EmbeddingPrecisions.Fp16 ? $"(\"{Half}\"::halfvec({dimension}))"
            : IsSized(dimension) ? $"\"{SizedName(dimension)}\"" : $"(\"{AnySize}\"::vector({dimension}))";
    }

    /// <summary>The HNSW operator class for cosine distance on <see cref="IndexExpression"/>.</summary>
    public static string CosineOperatorClass(string precision) =>
        precision == Jobs.EmbeddingPrecisions.Fp16 ? "halfvec_cosine_ops" : "vector_cosine_ops";

    /// <summary>Whichever column holds the row's embedding, as a float32 <c>vector</c> (null when it has none).</summary>
    public static string Coalesced { get; } = $"COALESCE({string.Join(", ", All.Select(c => c == Half ? $"\"{c}\"::vector" : $"\"{c}\""))})";

    private static string SizedName(int dimension) => $"embedding{dimension}";
}
