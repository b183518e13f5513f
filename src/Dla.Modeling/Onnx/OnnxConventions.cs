namespace Dla.Modeling.Onnx;

/// <summary>
/// The contract of every graph this project builds: opset, tensor names and layouts, and the
/// metadata keys that carry the model's preprocessing config and provenance.
/// </summary>
public static class OnnxConventions
{
    /// <summary>ONNX opset of the generated graphs (the same as timm's <c>torch.onnx.export</c> default here).</summary>
    public const int Opset = 17;

    /// <summary>ONNX IR version written into the model (IR 8 goes with opset 17).</summary>
    public const int IrVersion = 8;

    /// <summary>Input tensor: float32 NCHW, RGB, normalised with the model's mean/std; batch, height and width are dynamic.</summary>
    public const string Input = "input";

    /// <summary>Output tensor: float32 [batch, num_classes], unnormalised class scores.</summary>
    public const string Logits = "logits";

    /// <summary>Output tensor: float32 [batch, embedding_dim], globally average-pooled level5 features (timm's <c>pre_logits</c>).</summary>
    public const string Embedding = "embedding";

    /// <summary>Name of the dynamic batch axis.</summary>
    public const string BatchAxis = "batch";

    /// <summary>Input height and width must be multiples of this (five stride-2 stages must divide evenly).</summary>
    public const int SpatialMultiple = 32;

    /// <summary>Prefix of every metadata property written by this project.</summary>
    public const string MetadataPrefix = "dla.";
}
