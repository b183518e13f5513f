namespace Dla.Modeling.Architecture;

/// <summary>The residual block a DLA tree is built from (timm's <c>block</c> argument).</summary>
public enum DlaBlockType
{
    /// <summary><c>DlaBasic</c>: two 3×3 convolutions (dla34).</summary>
    Basic,

    /// <summary><c>DlaBottleneck</c>: 1×1, grouped 3×3, 1×1 with expansion 2 (plain and "x" variants).</summary>
    Bottleneck,

    /// <summary><c>DlaBottle2neck</c>: Res2Net multi-scale block with scale 4 (dla60_res2net, dla60_res2next).</summary>
    Bottle2neck,
}
