namespace Dla.Modeling.Onnx;

/// <summary>
/// Folds an inference-mode BatchNorm into the convolution before it:
/// <c>W' = W·γ/√(σ²+ε)</c>, <c>b' = β − μ·γ/√(σ²+ε)</c>. Computed in double so the folded graph
/// stays within float32 rounding of the unfolded PyTorch model.
/// </summary>
internal static class BatchNormFolding
{
    /// <summary>PyTorch's BatchNorm2d default epsilon, used by every DLA BatchNorm.</summary>
    public const double Epsilon = 1e-5;

    public static (float[] Weight, float[] Bias) Fold(float[] weight, int outChannels, float[] gamma, float[] beta, float[] mean, float[] variance)
    {
        var perChannel = weight.Length / outChannels;
        var folded = new float[weight.Length];
        var bias = new float[outChannels];
        for (var c = 0; c < outChannels; c++)
        {
            var scale = gamma[c] / Math.Sqrt(variance[c] + Epsilon);
            for (var i = c * perChannel; i < (c + 1) * perChannel; i++)
            {
                folded[i] = (float)(weight[i] * scale);
            }
            bias[c] = (float)(beta[c] - mean[c] * scale);
        }
        return (folded, bias);
    }
}
