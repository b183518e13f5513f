using System.CommandLine;
using Dla.Persistence.Jobs;

namespace Dla.Cli.Common;

/// <summary><c>--embedding-precision fp32|fp16</c> of <c>dla run</c> and <c>dla submit</c> (the job's <c>embedding_precision</c>).</summary>
internal static class EmbeddingPrecisionOption
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--embedding-precision")
        {
            Description = "How embeddings are stored: fp32, or fp16 (pgvector halfvec, half the bytes; exports still give float32)",
            DefaultValueFactory = _ => EmbeddingPrecisions.Fp32,
        };
        option.AcceptOnlyFromAmong(EmbeddingPrecisions.Fp32, EmbeddingPrecisions.Fp16);
        return option;
    }
}
