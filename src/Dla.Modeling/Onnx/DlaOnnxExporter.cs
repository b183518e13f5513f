using Dla.Modeling.Architecture;
using Dla.Modeling.Weights;

namespace Dla.Modeling.Onnx;

/// <summary>
/// Turns a <see cref="DlaNetwork"/> and its weights into an ONNX model: input <c>input</c> (float32
/// NCHW, dynamic batch, height and width), outputs <c>logits</c> and <c>embedding</c> from one pass.
/// BatchNorms are folded into their convolutions; the classifier is a Gemm on the pooled features.
/// </summary>
public static class DlaOnnxExporter
{
    /// <summary>Serialises the model to ONNX protobuf bytes.</summary>
    public static byte[] Export(DlaNetwork network, ModelWeights weights, ModelDescription description, OnnxPrecision precision = OnnxPrecision.Fp32)
    {
        var writer = new OnnxModelWriter(description.Name);
        var half = precision == OnnxPrecision.Fp16;
        var embedding = DlaNetwork.EmbeddingName;
        var logits = DlaNetwork.LogitsName;
        var input = DlaNetwork.InputName;
        if (half)
        {
            // float32 at the boundary keeps one API for both precisions; the casts are the only extra work.
            writer.Node("Cast", [input], ["input_fp16"], OnnxAttribute.Of("to", (long)OnnxDataType.Float16));
        }
        string Name(string value) => half && (value == input || value == embedding || value == logits) ? value + "_fp16" : value;
        void Initializer(string name, int[] dims, float[] values)
        {
            if (half)
            {
                writer.HalfInitializer(name, dims, values);
            }
            else
            {
                writer.FloatInitializer(name, dims, values);
            }
        }

        foreach (var op in network.Ops)
        {
            switch (op)
            {
                case ConvOp conv:
                    var (w, b) = FoldedConv(conv, weights);
                    Initializer($"{conv.Module}.weight", conv.WeightShape, w);
                    Initializer($"{conv.Module}.bias", [conv.OutChannels], b);
                    writer.Node("Conv", [Name(conv.Input), $"{conv.Module}.weight", $"{conv.Module}.bias"], [conv.Output],
                        OnnxAttribute.Of("kernel_shape", conv.Kernel, conv.Kernel),
                        OnnxAttribute.Of("strides", conv.Stride, conv.Stride),
                        OnnxAttribute.Of("pads", conv.Padding, conv.Padding, conv.Padding, conv.Padding),
                        OnnxAttribute.Of("dilations", 1L, 1L),
                        OnnxAttribute.Of("group", (long)conv.Groups));
                    break;
                case ReluOp relu:
                    writer.Node("Relu", [relu.Input], [relu.Output]);
                    break;
                case AddOp add:
                    writer.Node("Add", [add.Left, add.Right], [add.Output]);
                    break;
                case MaxPoolOp pool:
                    writer.Node("MaxPool", [pool.Input], [pool.Output], OnnxAttribute.Of("kernel_shape", 2L, 2L), OnnxAttribute.Of("strides", 2L, 2L));
                    break;
                case AvgPoolOp pool:
                    // PyTorch counts the zero padding in the average; ONNX does not unless told.
                    writer.Node("AveragePool", [pool.Input], [pool.Output], OnnxAttribute.Of("kernel_shape", 3L, 3L), OnnxAttribute.Of("strides", 2L, 2L),
                        OnnxAttribute.Of("pads", 1L, 1L, 1L, 1L), OnnxAttribute.Of("count_include_pad", 1L));
                    break;
                case ConcatOp concat:
                    writer.Node("Concat", [.. concat.Inputs], [concat.Output], OnnxAttribute.Of("axis", 1L));
                    break;
                case SplitOp split:
                    var sizesName = $"{split.Outputs[0]}_split_sizes";
                    writer.Int64Initializer(sizesName, Enumerable.Repeat((long)split.ChunkChannels, split.Outputs.Count).ToArray());
                    writer.Node("Split", [split.Input, sizesName], [.. split.Outputs], OnnxAttribute.Of("axis", 1L));
                    break;
                case GlobalPoolOp pool:
                    writer.Node("GlobalAveragePool", [pool.Input], [pool.Output + "_pooled"]);
                    writer.Node("Flatten", [pool.Output + "_pooled"], [Name(pool.Output)], OnnxAttribute.Of("axis", 1L));
                    break;
                case ClassifierOp fc:
                    Initializer($"{fc.Module}.weight", [fc.Classes, fc.InFeatures], weights[$"{fc.Module}.weight"]);
                    Initializer($"{fc.Module}.bias", [fc.Classes], weights[$"{fc.Module}.bias"]);
                    writer.Node("Gemm", [Name(fc.Input), $"{fc.Module}.weight", $"{fc.Module}.bias"], [Name(fc.Output)], OnnxAttribute.Of("transB", 1L));
                    break;
            }
        }
        if (half)
        {
            writer.Node("Cast", [Name(embedding)], [embedding], OnnxAttribute.Of("to", (long)OnnxDataType.Float));
            writer.Node("Cast", [Name(logits)], [logits], OnnxAttribute.Of("to", (long)OnnxDataType.Float));
        }

        writer.Input(input, OnnxDataType.Float, OnnxConventions.BatchAxis, 3, "height", "width");
        writer.Output(logits, OnnxDataType.Float, OnnxConventions.BatchAxis, network.NumClasses);
        writer.Output(embedding, OnnxDataType.Float, OnnxConventions.BatchAxis, network.Architecture.EmbeddingDim);
        foreach (var (key, value) in (description with { Precision = precision }).ToMetadata())
        {
            writer.Metadata(key, value);
        }
        return writer.ToModelBytes(OnnxConventions.Opset, "dla", typeof(DlaOnnxExporter).Assembly.GetName().Version?.ToString() ?? "0");
    }

    private static (float[] Weight, float[] Bias) FoldedConv(ConvOp conv, ModelWeights weights)
    {
        var weight = weights[$"{conv.Module}.weight"];
        if (conv.BatchNorm is not { } bn)
        {
            return (weight, new float[conv.OutChannels]);
        }
        return BatchNormFolding.Fold(weight, conv.OutChannels,
            weights[$"{bn}.weight"], weights[$"{bn}.bias"], weights[$"{bn}.running_mean"], weights[$"{bn}.running_var"]);
    }
}
