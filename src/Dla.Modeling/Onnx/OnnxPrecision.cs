namespace Dla.Modeling.Onnx;

/// <summary>Numeric precision of a generated graph's weights and activations.</summary>
public enum OnnxPrecision
{
    /// <summary>float32 throughout: the exact, timm-identical graph (CPU and GPU).</summary>
    Fp32,

    /// <summary>float16 weights and activations behind float32 inputs and outputs, for the CUDA execution provider.</summary>
    Fp16,
}
