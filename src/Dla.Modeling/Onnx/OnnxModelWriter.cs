using System.Runtime.InteropServices;

namespace Dla.Modeling.Onnx;

/// <summary>
/// Builds an ONNX ModelProto (field numbers from onnx/onnx.proto): nodes in topological order,
/// initializers as raw little-endian data, typed graph inputs and outputs, metadata properties.
/// </summary>
internal sealed class OnnxModelWriter
{
    private readonly ProtoWriter _graph = new();
    private readonly List<(string Key, string Value)> _metadata = [];
    private int _nodeCount;

    public OnnxModelWriter(string graphName) => _graph.String(2, graphName);

    public void Node(string opType, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        _graph.Message(1, node =>
        {
            foreach (var input in inputs)
            {
                node.String(1, input);
            }
            foreach (var output in outputs)
            {
                node.String(2, output);
            }
            node.String(3, $"{opType}_{_nodeCount++}");
            node.String(4, opType);
            foreach (var attribute in attributes)
            {
                node.Message(5, attribute.Write);
            }
        });
    }

    public void FloatInitializer(string name, int[] dims, ReadOnlySpan<float> values) =>
        Initializer(name, dims, OnnxDataType.Float, MemoryMarshal.AsBytes(values));

    public void HalfInitializer(string name, int[] dims, ReadOnlySpan<float> values)
    {
        var halves = new Half[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            halves[i] = (Half)values[i];
        }
        Initializer(name, dims, OnnxDataType.Float16, MemoryMarshal.AsBytes(halves.AsSpan()));
    }

    public void Int64Initializer(string name, long[] values) =>
        Initializer(name, [values.Length], OnnxDataType.Int64, MemoryMarshal.AsBytes(values.AsSpan()));

    /// <summary>A graph input or output: float tensor whose dims are fixed sizes (int) or named symbols (string).</summary>
    public void Input(string name, OnnxDataType type, params object[] dims) => _graph.Message(11, v => ValueInfo(v, name, type, dims));

    public void Output(string name, OnnxDataType type, params object[] dims) => _graph.Message(12, v => ValueInfo(v, name, type, dims));

    public void Metadata(string key, string value) => _metadata.Add((key, value));

    public byte[] ToModelBytes(int opset, string producer, string producerVersion)
    {
        var model = new ProtoWriter()
            .Varint(1, OnnxConventions.IrVersion)
            .String(2, producer)
            .String(3, producerVersion)
            .Message(7, _graph)
            .Message(8, op => op.String(1, "").Varint(2, opset));
        foreach (var (key, value) in _metadata)
        {
            model.Message(14, entry => entry.String(1, key).String(2, value));
        }
        return model.ToArray();
    }

    private void Initializer(string name, int[] dims, OnnxDataType type, ReadOnlySpan<byte> raw)
    {
        var tensor = new ProtoWriter();
        foreach (var dim in dims)
        {
            tensor.Varint(1, dim);
        }
        tensor.Varint(2, (int)type).String(8, name).Bytes(9, raw);
        _graph.Message(5, tensor);
    }

    private static void ValueInfo(ProtoWriter value, string name, OnnxDataType type, object[] dims)
    {
        value.String(1, name);
        value.Message(2, typeProto => typeProto.Message(1, tensor =>
        {
            tensor.Varint(1, (int)type);
            tensor.Message(2, shape =>
            {
                foreach (var dim in dims)
                {
                    shape.Message(1, d => _ = dim is string symbol ? d.String(2, symbol) : d.Varint(1, Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture)));
                }
            });
        }));
    }
}

/// <summary>ONNX TensorProto.DataType values used here.</summary>
internal enum OnnxDataType
{
    Float = 1,
    Int64 = 7,
    Float16 = 10,
}

/// <summary>An AttributeProto: an int, a float or a list of ints.</summary>
internal sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, long[]? Ints = null)
{
    public static OnnxAttribute Of(string name, long value) => new(name, Int: value);

    public static OnnxAttribute Of(string name, float value) => new(name, Float: value);

    public static OnnxAttribute Of(string name, params long[] values) => new(name, Ints: values);

    public void Write(ProtoWriter writer)
    {
        writer.String(1, Name);
        if (Int is { } i)
        {
            writer.Varint(3, i).Varint(20, 2);
        }
        else if (Float is { } f)
        {
            writer.Float(2, f).Varint(20, 1);
        }
        else
        {
            foreach (var value in Ints!)
            {
                writer.Varint(8, value);
            }
            writer.Varint(20, 7);
        }
    }
}
