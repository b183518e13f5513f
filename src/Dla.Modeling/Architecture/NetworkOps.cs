namespace Dla.Modeling.Architecture;

/// <summary>
/// One operation of a DLA network in inference form. Values are named; every op reads named values
/// and writes one (or, for <see cref="SplitOp"/>, several). The same list drives parameter counting,
/// MAC counting, the expected state_dict and the ONNX graph, so they cannot disagree.
/// </summary>
public abstract record NetworkOp;

/// <summary>A bias-free convolution (timm's <c>Conv2d(..., bias=False)</c>), optionally followed by its BatchNorm.</summary>
/// <param name="Input">Input value name.</param>
/// <param name="Output">Output value name.</param>
/// <param name="Module">state_dict prefix of the conv, e.g. <c>level2.tree1.conv1</c> (its weight is <c>{Module}.weight</c>).</param>
/// <param name="BatchNorm">state_dict prefix of the BatchNorm that follows, or null.</param>
/// <param name="InChannels">Input channels.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="Kernel">Square kernel size.</param>
/// <param name="Stride">Stride.</param>
/// <param name="Groups">Groups (cardinality).</param>
public sealed record ConvOp(string Input, string Output, string Module, string? BatchNorm, int InChannels, int OutChannels, int Kernel, int Stride, int Groups) : NetworkOp
{
    /// <summary>Symmetric padding that keeps "same" size at stride 1 (timm pads k//2).</summary>
    public int Padding => Kernel / 2;

    /// <summary>Shape of the weight tensor: [out, in/groups, k, k].</summary>
    public int[] WeightShape => [OutChannels, InChannels / Groups, Kernel, Kernel];
}

/// <summary>Element-wise ReLU.</summary>
public sealed record ReluOp(string Input, string Output) : NetworkOp;

/// <summary>Element-wise sum (a residual connection).</summary>
public sealed record AddOp(string Left, string Right, string Output) : NetworkOp;

/// <summary>The tree downsampling: MaxPool 2×2, stride 2, no padding (floors odd sizes).</summary>
public sealed record MaxPoolOp(string Input, string Output) : NetworkOp;

/// <summary>Res2Net's pass-through downsampling: AvgPool 3×3, stride 2, pad 1, padding counted.</summary>
public sealed record AvgPoolOp(string Input, string Output) : NetworkOp;

/// <summary>Channel concatenation in the given order.</summary>
public sealed record ConcatOp(IReadOnlyList<string> Inputs, string Output) : NetworkOp;

/// <summary>Split along channels into equal chunks of <paramref name="ChunkChannels"/>.</summary>
public sealed record SplitOp(string Input, IReadOnlyList<string> Outputs, int ChunkChannels) : NetworkOp;

/// <summary>Global average pooling and flattening: [B, C, H, W] → [B, C] (timm's <c>pre_logits</c>).</summary>
public sealed record GlobalPoolOp(string Input, string Output) : NetworkOp;

/// <summary>The classifier <c>fc</c>: a 1×1 conv with bias on pooled features, i.e. a linear layer [B, C] → [B, N].</summary>
public sealed record ClassifierOp(string Input, string Output, string Module, int InFeatures, int Classes) : NetworkOp;
