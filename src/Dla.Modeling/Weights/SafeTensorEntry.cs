using System.Text.Json;

namespace Dla.Modeling.Weights;

/// <summary>One tensor's header entry in a safetensors file.</summary>
/// <param name="Name">The state_dict name, e.g. <c>level2.tree1.conv1.weight</c>.</param>
/// <param name="DType">The safetensors dtype string (<c>F32</c>, <c>F16</c>, <c>BF16</c>, <c>I64</c>, ...).</param>
/// <param name="Shape">The tensor shape (empty for a scalar).</param>
/// <param name="Start">Offset of the first byte within the data section.</param>
/// <param name="End">Offset one past the last byte within the data section.</param>
public sealed record SafeTensorEntry(string Name, string DType, int[] Shape, long Start, long End)
{
    /// <summary>Number of elements (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    internal static SafeTensorEntry FromHeader(string name, JsonElement value, string source)
    {
        try
        {
            var dtype = value.GetProperty("dtype").GetString() ?? "";
            var shape = value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            var offsets = value.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
            {
                throw new WeightsFormatException($"'{source}': tensor '{name}' has invalid data_offsets.");
            }
            var entry = new SafeTensorEntry(name, dtype, shape, offsets[0], offsets[1]);
            var width = TensorDTypes.ByteWidth(dtype);
            if (width > 0 && entry.ElementCount * width != entry.End - entry.Start)
            {
                throw new WeightsFormatException($"'{source}': tensor '{name}' ({dtype} [{string.Join(", ", shape)}]) needs {entry.ElementCount * width} bytes but its data_offsets span {entry.End - entry.Start}.");
            }
            return entry;
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new WeightsFormatException($"'{source}': tensor '{name}' has a malformed header entry: {ex.Message}", ex);
        }
    }
}
