using System.Buffers.Binary;
using Dla.Modeling.Architecture;
using Dla.Modeling.Tests.Onnx;
using Dla.Modeling.Weights;

namespace Dla.Modeling.Tests.Weights;

public sealed class WeightsErrorTests
{
    private static readonly DlaArchitecture Tiny = GoldenModelsFree.TinyBasic;

    private static List<TestSafeTensors.Tensor> Complete(int classes = 10)
    {
        var network = DlaNetwork.Build(Tiny, classes);
        return StateDictLayout.Expected(network).Select(t => TestSafeTensors.F32(t.Name, t.Shape, t.Name.EndsWith("running_var", StringComparison.Ordinal) ? 1f : 0.01f)).ToList();
    }

    private static WeightsFormatException LoadFails(byte[] file) =>
        Assert.Throws<WeightsFormatException>(() => ModelWeights.Load(SafeTensorsFile.Parse(file, "test.safetensors"), Tiny));

    [Fact]
    public void A_complete_state_dict_loads_and_takes_its_class_count_from_fc()
    {
        var tensors = Complete(classes: 37);
        tensors.Add(new TestSafeTensors.Tensor("level1.1.num_batches_tracked", "I64", [], new byte[8]));

        var (network, weights) = ModelWeights.Load(SafeTensorsFile.Parse(TestSafeTensors.Write(tensors), "fine-tuned"), Tiny);

        Assert.Equal(37, network.NumClasses);
        Assert.False(weights.Untrained);
    }

    [Fact]
    public void A_truncated_header_is_reported()
    {
        var file = TestSafeTensors.Write(Complete());
        var error = Assert.Throws<WeightsFormatException>(() => SafeTensorsFile.Parse(file[..20], "cut.safetensors"));
        Assert.Contains("truncated or invalid safetensors header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_data_section_names_the_tensor()
    {
        var file = TestSafeTensors.Write(Complete());
        var error = Assert.Throws<WeightsFormatException>(() => SafeTensorsFile.Parse(file[..^100], "cut.safetensors"));
        Assert.Contains("is truncated: tensor", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_length_beyond_the_file_is_reported()
    {
        var file = TestSafeTensors.Write(Complete());
        BinaryPrimitives.WriteInt64LittleEndian(file, long.MaxValue / 2);
        Assert.Throws<WeightsFormatException>(() => SafeTensorsFile.Parse(file, "bad.safetensors"));
    }

    [Fact]
    public void A_missing_key_is_named_with_its_expected_shape()
    {
        var tensors = Complete();
        tensors.RemoveAll(t => t.Name == "level2.tree1.conv1.weight");
        var error = LoadFails(TestSafeTensors.Write(tensors));
        Assert.Contains("missing key 'level2.tree1.conv1.weight' (expected shape [16, 16, 3, 3])", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mis_shaped_key_names_both_shapes()
    {
        var tensors = Complete();
        var index = tensors.FindIndex(t => t.Name == "level3.tree1.tree1.bn1.weight");
        tensors[index] = TestSafeTensors.F32("level3.tree1.tree1.bn1.weight", [31]);
        var error = LoadFails(TestSafeTensors.Write(tensors));
        Assert.Contains("key 'level3.tree1.tree1.bn1.weight' has shape [31] but the model expects [32]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unexpected_key_is_named()
    {
        var tensors = Complete();
        tensors.Add(TestSafeTensors.F32("level9.extra.weight", [2]));
        var error = LoadFails(TestSafeTensors.Write(tensors));
        Assert.Contains("unexpected key 'level9.extra.weight' (shape [2])", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_integer_weight_is_refused_with_its_dtype()
    {
        var tensors = Complete();
        var index = tensors.FindIndex(t => t.Name == "fc.bias");
        tensors[index] = new TestSafeTensors.Tensor("fc.bias", "I32", [10], new byte[40]);
        var error = LoadFails(TestSafeTensors.Write(tensors));
        Assert.Contains("'fc.bias' has dtype I32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Half_and_bfloat16_weights_convert_to_float32()
    {
        var half = new byte[4];
        BinaryPrimitives.WriteHalfLittleEndian(half, (Half)1.5f);
        BinaryPrimitives.WriteHalfLittleEndian(half.AsSpan(2), (Half)(-2f));
        var bf16 = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bf16, (ushort)(BitConverter.SingleToUInt32Bits(3.25f) >> 16));
        var file = SafeTensorsFile.Parse(TestSafeTensors.Write([new("h", "F16", [2], half), new("b", "BF16", [1], bf16)]), "mixed");

        Assert.Equal([1.5f, -2f], file.ReadFloat32("h"));
        Assert.Equal([3.25f], file.ReadFloat32("b"));
    }
}
