using Dla.Modeling.Architecture;

namespace Dla.Modeling.Tests.Architecture;

public sealed class VariantTableTests
{
    // Parameters from the model card (seed/); conv+fc MACs at 224×224 and state_dict key counts
    // (with num_batches_tracked) from shared/notes/dla_params.py, which matches timm's own models.
    public static TheoryData<string, long, long, int> Card => new()
    {
        { "dla34", 15_742_104, 3_060_043_776, 224 },
        { "dla46_c", 1_301_400, 574_269_440, 290 },
        { "dla46x_c", 1_068_440, 532_723_712, 290 },
        { "dla60x_c", 1_319_832, 581_294_080, 374 },
        { "dla60", 22_036_632, 4_235_878_400, 380 },
        { "dla60x", 17_352_344, 3_516_555_264, 380 },
        { "dla102", 33_268_888, 7_164_551_168, 632 },
        { "dla102x", 26_309_272, 5_847_932_928, 632 },
        { "dla102x2", 41_282_200, 9_283_985_408, 632 },
        { "dla169", 53_389_720, 11_557_560_320, 1010 },
        { "dla60_res2net", 20_848_072, 4_122_681_344, 572 },
        { "dla60_res2next", 17_032_984, 3_458_752_512, 572 },
    };

    [Theory]
    [MemberData(nameof(Card))]
    public void Parameter_count_equals_the_model_card_to_the_unit(string name, long parameters, long macs, int keys)
    {
        var variant = DlaVariants.Find(name)!;
        var network = DlaNetwork.Build(variant.Architecture);

        Assert.Equal(parameters, StateDictLayout.Parameters(network));
        Assert.Equal(parameters, variant.CardParameters);
        Assert.Equal(macs, NetworkCost.Macs(network));
        var bnCount = network.Ops.OfType<ConvOp>().Count(c => c.BatchNorm is not null);
        Assert.Equal(keys, StateDictLayout.Expected(network).Count() + bnCount);
    }

    [Fact]
    public void The_table_holds_the_twelve_card_variants()
    {
        Assert.Equal(12, DlaVariants.All.Count);
        Assert.Equal(DlaVariants.All.Count, DlaVariants.All.Select(v => v.Name).Distinct().Count());
        Assert.Same(DlaVariants.Find("dla34"), DlaVariants.Find("DLA34.in1k"));
        Assert.Null(DlaVariants.Find("resnet50"));
    }

    [Fact]
    public void Dla34_level3_root_concatenates_children_in_timm_order()
    {
        var network = DlaNetwork.Build(DlaVariants.Find("dla34")!.Architecture);
        var root = network.Ops.OfType<ConvOp>().Single(c => c.Module == "level3.tree2.root.conv");

        Assert.Equal(448, root.InChannels);
        Assert.Contains(network.Ops.OfType<ConvOp>(), c => c.Module == "level3.tree1.project.0");
        Assert.DoesNotContain(network.Ops.OfType<ConvOp>(), c => c.Module == "level3.project.0");
    }

    [Fact]
    public void Custom_json_configuration_parses_like_timm_arguments()
    {
        var arch = DlaArchitecture.FromJson("""{"levels": [1,1,1,3,4,1], "channels": [8,16,32,64,64,128], "block": "bottleneck", "cardinality": 8, "base_width": 4, "shortcut_root": true}""");

        Assert.Equal(DlaBlockType.Bottleneck, arch.Block);
        Assert.Equal(8, arch.Cardinality);
        Assert.True(arch.ShortcutRoot);
        Assert.Equal(arch, DlaArchitecture.FromJson(arch.ToJson()));
    }

    [Theory]
    [InlineData("""{"levels": [1,1,1], "channels": [8,16,32,64,64,128], "block": "basic"}""", "levels")]
    [InlineData("""{"levels": [1,1,1,2,2,1], "channels": [8,16,32,64,64,128], "block": "dense"}""", "Unknown block")]
    [InlineData("""{"levels": [1,1,1,2,2,1], "channels": [8,16,8,64,64,128], "block": "bottleneck", "cardinality": 3, "base_width": 8}""", "multiple of the cardinality")]
    [InlineData("""not json""", "Invalid architecture JSON")]
    public void Invalid_configuration_is_refused_with_a_clear_message(string json, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => DlaArchitecture.FromJson(json));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
