using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Dla.Modeling.Tests.Weights;

/// <summary>Writes small safetensors files for tests: named tensors with a dtype, a shape and raw bytes.</summary>
internal static class TestSafeTensors
{
    public sealed record Tensor(string Name, string DType, int[] Shape, byte[] Data);

    public static Tensor F32(string name, int[] shape, float value = 0.5f)
    {
        var count = shape.Aggregate(1, (a, b) => a * b);
        var data = new byte[count * 4];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), value);
        }
        return new Tensor(name, "F32", shape, data);
    }

    public static byte[] Write(IEnumerable<Tensor> tensors)
    {
        var header = new Dictionary<string, object>();
        var body = new MemoryStream();
        foreach (var t in tensors)
        {
            header[t.Name] = new { dtype = t.DType, shape = t.Shape, data_offsets = new[] { body.Length, body.Length + t.Data.Length } };
            body.Write(t.Data);
        }
        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        var file = new byte[8 + json.Length + body.Length];
        BinaryPrimitives.WriteInt64LittleEndian(file, json.Length);
        json.CopyTo(file, 8);
        body.ToArray().CopyTo(file, 8 + json.Length);
        return file;
    }
}
