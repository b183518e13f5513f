using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dla.Modeling.Architecture;

/// <summary>
/// The constructor arguments of timm's <c>DLA</c> class: everything that decides the network's
/// structure. Named variants are rows of <see cref="DlaVariants"/>; custom configurations come from
/// JSON in exactly this shape: <c>{"levels": [...], "channels": [...], "block": "bottleneck",
/// "cardinality": 1, "base_width": 64, "shortcut_root": false}</c>.
/// </summary>
/// <param name="Levels">Six entries: the conv repeats of level0 and level1, then the tree depths of levels 2–5.</param>
/// <param name="Channels">Six entries: output channels of base/level0 (C0) through level5 (C5).</param>
/// <param name="Block">The residual block type.</param>
/// <param name="Cardinality">Groups of the 3×3 convolutions in bottleneck blocks.</param>
/// <param name="BaseWidth">Width per group, as in ResNeXt (64 with cardinality 1 means plain bottlenecks).</param>
/// <param name="ShortcutRoot">Whether every root adds its first child (timm's <c>shortcut_root</c>).</param>
public sealed record DlaArchitecture(
    int[] Levels,
    int[] Channels,
    DlaBlockType Block,
    int Cardinality = 1,
    int BaseWidth = 64,
    bool ShortcutRoot = false)
{
    /// <summary>The Res2Net scale of <see cref="DlaBlockType.Bottle2neck"/> blocks (never overridden in timm).</summary>
    public const int Res2NetScale = 4;

    /// <summary>Size of the embedding: the channels of level5, pooled.</summary>
    public int EmbeddingDim => Channels[5];

    /// <summary>Inner width of a bottleneck block with <paramref name="outChannels"/> outputs (timm's <c>mid_planes</c>).</summary>
    public int BottleneckWidth(int outChannels) => outChannels * BaseWidth / 64 * Cardinality / 2;

    /// <summary>Checks the arguments the way timm's constructor would fail on them, with a clear message.</summary>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    public void Validate()
    {
        if (Levels is not { Length: 6 } || Levels.Any(l => l < 1 || l > 8))
        {
            throw new ArgumentException("'levels' must have 6 entries, each between 1 and 8.");
        }
        if (Channels is not { Length: 6 } || Channels.Any(c => c < 1 || c > 8192))
        {
            throw new ArgumentException("'channels' must have 6 entries, each between 1 and 8192.");
        }
        if (Cardinality < 1 || BaseWidth < 1)
        {
            throw new ArgumentException("'cardinality' and 'base_width' must be positive.");
        }
        if (Block == DlaBlockType.Basic)
        {
            return;
        }
        for (var level = 2; level < 6; level++)
        {
            var width = BottleneckWidth(Channels[level]);
            if (width < Cardinality || width % Cardinality != 0)
            {
                throw new ArgumentException($"Block width {width} of level{level} ({Channels[level]} channels, cardinality {Cardinality}, base_width {BaseWidth}) must be a positive multiple of the cardinality.");
            }
        }
    }

    /// <summary>Parses timm constructor arguments from JSON (snake_case keys, as in the golden <c>case.json</c> files).</summary>
    /// <exception cref="ArgumentException">The JSON is malformed or describes an invalid network.</exception>
    public static DlaArchitecture FromJson(string json)
    {
        ArchitectureJson? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(json, ArchitectureJsonContext.Default.ArchitectureJson);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"Invalid architecture JSON: {ex.Message}", ex);
        }
        if (parsed?.Levels is null || parsed.Channels is null || parsed.Block is null)
        {
            throw new ArgumentException("Architecture JSON needs 'levels', 'channels' and 'block'.");
        }
        var block = parsed.Block.ToLowerInvariant() switch
        {
            "basic" or "dlabasic" => DlaBlockType.Basic,
            "bottleneck" or "dlabottleneck" => DlaBlockType.Bottleneck,
            "bottle2neck" or "dlabottle2neck" => DlaBlockType.Bottle2neck,
            _ => throw new ArgumentException($"Unknown block '{parsed.Block}': use basic, bottleneck or bottle2neck."),
        };
        var architecture = new DlaArchitecture(parsed.Levels, parsed.Channels, block, parsed.Cardinality ?? 1, parsed.BaseWidth ?? 64, parsed.ShortcutRoot ?? false);
        architecture.Validate();
        return architecture;
    }

    /// <summary>The arguments as timm-style JSON (the inverse of <see cref="FromJson"/>).</summary>
    public string ToJson() => JsonSerializer.Serialize(
        new ArchitectureJson(Levels, Channels, Block.ToString().ToLowerInvariant(), Cardinality, BaseWidth, ShortcutRoot),
        ArchitectureJsonContext.Default.ArchitectureJson);

    /// <inheritdoc />
    public bool Equals(DlaArchitecture? other) => other is not null && ToJson() == other.ToJson();

    /// <inheritdoc />
    public override int GetHashCode() => ToJson().GetHashCode(StringComparison.Ordinal);
}

internal sealed record ArchitectureJson(
    [property: JsonPropertyName("levels")] int[]? Levels,
    [property: JsonPropertyName("channels")] int[]? Channels,
    [property: JsonPropertyName("block")] string? Block,
    [property: JsonPropertyName("cardinality")] int? Cardinality,
    [property: JsonPropertyName("base_width")] int? BaseWidth,
    [property: JsonPropertyName("shortcut_root")] bool? ShortcutRoot);

[JsonSerializable(typeof(ArchitectureJson))]
internal sealed partial class ArchitectureJsonContext : JsonSerializerContext;
