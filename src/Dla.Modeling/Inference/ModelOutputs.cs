namespace Dla.Modeling.Inference;

/// <summary>
/// Outputs of one batch, row-major: <see cref="Logits"/> is [batch, classes] and
/// <see cref="Embeddings"/> is [batch, embedding_dim], or null when the graph has no embedding.
/// </summary>
/// <param name="BatchSize">Images in the batch.</param>
/// <param name="Classes">Classifier outputs per image.</param>
/// <param name="Logits">Unnormalised class scores.</param>
/// <param name="EmbeddingDim">Embedding size per image (0 without an embedding).</param>
/// <param name="Embeddings">Pooled features before the classifier.</param>
public sealed record ModelOutputs(int BatchSize, int Classes, float[] Logits, int EmbeddingDim, float[]? Embeddings)
{
    /// <summary>The logits of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> LogitsOf(int index) => Logits.AsSpan(index * Classes, Classes);

    /// <summary>The embedding of image <paramref name="index"/>; empty without an embedding.</summary>
    public ReadOnlySpan<float> EmbeddingOf(int index) => Embeddings is null ? [] : Embeddings.AsSpan(index * EmbeddingDim, EmbeddingDim);
}
