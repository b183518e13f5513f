namespace Dla.Persistence.Jobs;

/// <summary>The values of <see cref="Job.EmbeddingPrecision"/>.</summary>
public static class EmbeddingPrecisions
{
    /// <summary>float32: pgvector <c>vector</c>, 4 bytes a value (the default).</summary>
    public const string Fp32 = "fp32";

    /// <summary>float16: pgvector <c>halfvec</c>, 2 bytes a value.</summary>
    public const string Fp16 = "fp16";

    /// <summary>True for <see cref="Fp32"/> and <see cref="Fp16"/>.</summary>
    public static bool IsValid(string? value) => value is Fp32 or Fp16;
}
