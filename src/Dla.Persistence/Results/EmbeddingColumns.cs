namespace Dla.Persistence.Results;

/// <summary>
/// Where PostgreSQL keeps an embedding: in the pgvector column sized to its length — <c>vector(256)</c>
/// for the <c>_c</c> models, <c>vector(512)</c> for dla34, <c>vector(1024)</c> for the others — so the
/// database checks every row's size and a job's HNSW index sits on a plain column. Embeddings of any
/// other size (custom architectures, ONNX files) go to one unsized <c>vector</c> column, indexed through
/// a cast to the job's size. SQLite has no vector types and keeps one float32 blob column.
/// </summary>
public static class EmbeddingColumns
{
    /// <summary>The sizes that have their own column.</summary>
    public static readonly IReadOnlyList<int> SizedDimensions = [256, 512, 1024];

    /// <summary>The unsized column, for embeddings of every other size.</summary>
    public const string AnySize = "EmbeddingAnySize";

    /// <summary>Every embedding column of <c>results</c> on PostgreSQL.</summary>
    public static IReadOnlyList<string> All { get; } = [.. SizedDimensions.Select(SizedName), AnySize];

    /// <summary>True when embeddings of this size have their own column.</summary>
    public static bool IsSized(int dimension) => SizedDimensions.Contains(dimension);

    /// <summary>The column that holds embeddings of this size.</summary>
    public static string For(int dimension) => IsSized(dimension) ? SizedName(dimension) : AnySize;

    /// <summary>
    /// The SQL expression a job's HNSW index is built on and a search orders by (they must match for
    /// the planner to use the index): the sized column itself, or the unsized one cast to the size.
    /// </summary>
    public static string IndexExpression(int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        return IsSized(dimension) ? $"\"{SizedName(dimension)}\"" : $"(\"{AnySize}\"::vector({dimension}))";
    }

    /// <summary>Whichever column holds the row's embedding (null when it has none).</summary>
    public static string Coalesced { get; } = $"COALESCE({string.Join(", ", All.Select(c => $"\"{c}\""))})";

    private static string SizedName(int dimension) => $"Embedding{dimension}";
}
