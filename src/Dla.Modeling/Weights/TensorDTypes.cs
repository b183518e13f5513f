using System.Buffers.Binary;

namespace Dla.Modeling.Weights;

/// <summary>Conversions from safetensors element types to float32.</summary>
internal static class TensorDTypes
{
    public static int ByteWidth(string dtype) => dtype switch
    {
        "F64" or "I64" or "U64" => 8,
        "F32" or "I32" or "U32" => 4,
        "F16" or "BF16" or "I16" or "U16" => 2,
        "I8" or "U8" or "BOOL" or "F8_E4M3" or "F8_E5M2" => 1,
        _ => 0,
    };

    public static float[] ToFloat32(ReadOnlySpan<byte> raw, SafeTensorEntry entry, string source)
    {
        var count = checked((int)entry.ElementCount);
        var result = new float[count];
        switch (entry.DType)
        {
            case "F32":
                for (var i = 0; i < count; i++)
                {
                    result[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]);
                }
                break;
            case "F16":
                for (var i = 0; i < count; i++)
                {
                    result[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw[(i * 2)..]);
                }
                break;
            case "BF16":
                for (var i = 0; i < count; i++)
                {
                    // bfloat16 is the upper half of an IEEE float32.
                    var bits = (uint)BinaryPrimitives.ReadUInt16LittleEndian(raw[(i * 2)..]) << 16;
                    result[i] = BitConverter.UInt32BitsToSingle(bits);
                }
                break;
            case "F64":
                for (var i = 0; i < count; i++)
                {
                    result[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(raw[(i * 8)..]);
                }
                break;
            default:
                throw new WeightsFormatException($"'{source}': tensor '{entry.Name}' has dtype {entry.DType}; weights must be F32, F16, BF16 or F64.");
        }
        return result;
    }
}
