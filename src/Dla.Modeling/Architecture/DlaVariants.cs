namespace Dla.Modeling.Architecture;

/// <summary>
/// The DLA family as timm declares it (<c>timm/models/dla.py</c>): one row per variant of the
/// model card, keyed by timm's name. Parameter counts and top-1 are the card's; MACs are computed.
/// </summary>
public static class DlaVariants
{
    private static readonly int[] Small = [16, 32, 64, 64, 128, 256];
    private static readonly int[] Wide = [16, 32, 128, 256, 512, 1024];

    /// <summary>Every variant of the model card, in the card's order.</summary>
    public static IReadOnlyList<DlaVariant> All { get; } =
    [
        new("dla34", new([1, 1, 1, 2, 2, 1], [16, 32, 64, 128, 256, 512], DlaBlockType.Basic), 15_742_104, 74.62),
        new("dla46_c", new([1, 1, 1, 2, 2, 1], Small, DlaBlockType.Bottleneck), 1_301_400, 64.87),
        new("dla46x_c", new([1, 1, 1, 2, 2, 1], Small, DlaBlockType.Bottleneck, 32, 4), 1_068_440, 65.98),
        new("dla60x_c", new([1, 1, 1, 2, 3, 1], Small, DlaBlockType.Bottleneck, 32, 4), 1_319_832, 67.91),
        new("dla60", new([1, 1, 1, 2, 3, 1], Wide, DlaBlockType.Bottleneck), 22_036_632, 77.04),
        new("dla60x", new([1, 1, 1, 2, 3, 1], Wide, DlaBlockType.Bottleneck, 32, 4), 17_352_344, 78.25),
        new("dla102", new([1, 1, 1, 3, 4, 1], Wide, DlaBlockType.Bottleneck, ShortcutRoot: true), 33_268_888, 78.03),
        new("dla102x", new([1, 1, 1, 3, 4, 1], Wide, DlaBlockType.Bottleneck, 32, 4, true), 26_309_272, 78.51),
        new("dla102x2", new([1, 1, 1, 3, 4, 1], Wide, DlaBlockType.Bottleneck, 64, 4, true), 41_282_200, 79.44),
        new("dla169", new([1, 1, 2, 3, 5, 1], Wide, DlaBlockType.Bottleneck, ShortcutRoot: true), 53_389_720, 78.69),
        new("dla60_res2net", new([1, 1, 1, 2, 3, 1], Wide, DlaBlockType.Bottle2neck, 1, 28), 20_848_072, 78.46),
        new("dla60_res2next", new([1, 1, 1, 2, 3, 1], Wide, DlaBlockType.Bottle2neck, 8, 4), 17_032_984, 78.44),
    ];

    /// <summary>Finds a variant by timm name (case-insensitive; a <c>.in1k</c> tag is accepted).</summary>
    public static DlaVariant? Find(string name)
    {
        var bare = name.EndsWith(".in1k", StringComparison.OrdinalIgnoreCase) ? name[..^5] : name;
        return All.FirstOrDefault(v => string.Equals(v.Name, bare, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>One row of the model card.</summary>
/// <param name="Name">timm's model name, e.g. <c>dla34</c>.</param>
/// <param name="Architecture">The constructor arguments.</param>
/// <param name="CardParameters">Trainable parameters with the 1000-class head, as on the card.</param>
/// <param name="Top1">ImageNet-1k top-1 accuracy (%) at 224, as on the card.</param>
public sealed record DlaVariant(string Name, DlaArchitecture Architecture, long CardParameters, double Top1)
{
    /// <summary>The Hugging Face hub repository of timm's pretrained weights.</summary>
    public string HubRepository => $"timm/{Name}.in1k";
}
