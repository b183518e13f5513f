using System.Buffers.Binary;
using System.Text.Json;

namespace Dla.Modeling.Weights;

/// <summary>
/// Reads the safetensors format (an 8-byte little-endian header length, a JSON header
/// <c>{name: {dtype, shape, data_offsets}}</c>, then the raw little-endian tensor bytes) — the
/// format timm publishes its weights in. The whole file is read into memory once; tensors are
/// converted to float32 on request.
/// </summary>
public sealed class SafeTensorsFile
{
    /// <summary>Largest header accepted (timm headers are a few tens of kilobytes).</summary>
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    private readonly byte[] _data;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafeTensorEntry> _entries;

    private SafeTensorsFile(string source, byte[] data, long dataStart, Dictionary<string, SafeTensorEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        Source = source;
        _data = data;
        _dataStart = dataStart;
        _entries = entries;
        Metadata = metadata;
    }

    /// <summary>Where the file came from (a path or a description), used in error messages.</summary>
    public string Source { get; }

    /// <summary>The optional <c>__metadata__</c> string map of the header.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Every tensor in the file, by name.</summary>
    public IReadOnlyDictionary<string, SafeTensorEntry> Entries => _entries;

    /// <summary>Opens and validates a safetensors file.</summary>
    /// <exception cref="WeightsFormatException">The file is not a well-formed safetensors file.</exception>
    public static SafeTensorsFile Open(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException ex)
        {
            throw new WeightsFormatException($"Cannot read weights file '{path}': {ex.Message}", ex);
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses and validates safetensors bytes.</summary>
    /// <exception cref="WeightsFormatException">The bytes are not a well-formed safetensors file.</exception>
    public static SafeTensorsFile Parse(byte[] bytes, string source)
    {
        if (bytes.Length < 8)
        {
            throw new WeightsFormatException($"'{source}' is not a safetensors file: {bytes.Length} bytes is shorter than the 8-byte header length.");
        }
        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > bytes.Length)
        {
            throw new WeightsFormatException($"'{source}' has a truncated or invalid safetensors header: it declares {headerLength} header bytes but the file holds {bytes.Length} bytes.");
        }

        JsonDocument header;
        try
        {
            header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        }
        catch (JsonException ex)
        {
            throw new WeightsFormatException($"'{source}' has a safetensors header that is not valid JSON: {ex.Message}", ex);
        }

        using (header)
        {
            var dataStart = 8 + headerLength;
            var dataLength = bytes.Length - dataStart;
            var entries = new Dictionary<string, SafeTensorEntry>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            if (header.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new WeightsFormatException($"'{source}' has a safetensors header that is not a JSON object.");
            }
            foreach (var property in header.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    foreach (var item in property.Value.EnumerateObject())
                    {
                        metadata[item.Name] = item.Value.ToString();
                    }
                    continue;
                }
                var entry = SafeTensorEntry.FromHeader(property.Name, property.Value, source);
                if (entry.End > dataLength)
                {
                    throw new WeightsFormatException($"'{source}' is truncated: tensor '{entry.Name}' ends at byte {entry.End} of the data section, which holds {dataLength} bytes.");
                }
                entries[entry.Name] = entry;
            }
            return new SafeTensorsFile(source, bytes, dataStart, entries, metadata);
        }
    }

    /// <summary>Whether the file holds a tensor of this name.</summary>
    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>
    /// The tensor's values as float32 in row-major order (F32, F16, BF16 and F64 are converted;
    /// integer tensors are refused).
    /// </summary>
    /// <exception cref="WeightsFormatException">No such tensor, or its dtype is not a float type.</exception>
    public float[] ReadFloat32(string name)
    {
        if (!_entries.TryGetValue(name, out var entry))
        {
            throw new WeightsFormatException($"'{Source}' has no tensor '{name}'.");
        }
        var raw = _data.AsSpan((int)(_dataStart + entry.Start), (int)(entry.End - entry.Start));
        return TensorDTypes.ToFloat32(raw, entry, Source);
    }
}
