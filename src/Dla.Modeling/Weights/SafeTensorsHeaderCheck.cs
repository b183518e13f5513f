using System.Buffers.Binary;
using System.Text.Json;

namespace Dla.Modeling.Weights;

/// <summary>
/// Validates a safetensors file on disk by its header alone, so a downloaded file of hundreds of
/// megabytes can be checked without loading it: the header must parse, every entry must be
/// well-formed (<see cref="SafeTensorEntry.FromHeader"/>) and fit inside the data section.
/// </summary>
internal static class SafeTensorsHeaderCheck
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    /// <summary>Throws <see cref="WeightsFormatException"/> when the file is not a safetensors file.</summary>
    public static async Task ValidateAsync(string path, string source, CancellationToken cancellationToken) =>
        await ReadEntriesAsync(path, source, cancellationToken);

    /// <summary>The tensors the header declares, each checked to lie inside the file.</summary>
    public static async Task<Dictionary<string, SafeTensorEntry>> ReadEntriesAsync(string path, string source, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.Asynchronous);
        var prefix = new byte[8];
        if (await stream.ReadAtLeastAsync(prefix, prefix.Length, throwOnEndOfStream: false, cancellationToken) < prefix.Length)
        {
            throw new WeightsFormatException($"'{source}' is not a safetensors file: {stream.Length} bytes is shorter than the 8-byte header length.");
        }
        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(prefix);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > stream.Length)
        {
            throw new WeightsFormatException($"'{source}' has a truncated or invalid safetensors header: it declares {headerLength} header bytes but the file holds {stream.Length} bytes.");
        }
        var header = new byte[headerLength];
        await stream.ReadExactlyAsync(header, cancellationToken);
        var dataLength = stream.Length - 8 - headerLength;

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException ex)
        {
            throw new WeightsFormatException($"'{source}' has a safetensors header that is not valid JSON: {ex.Message}", ex);
        }
        var entries = new Dictionary<string, SafeTensorEntry>(StringComparer.Ordinal);
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new WeightsFormatException($"'{source}' has a safetensors header that is not a JSON object.");
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "__metadata__")
                {
                    continue;
                }
                var entry = SafeTensorEntry.FromHeader(property.Name, property.Value, source);
                if (entry.End > dataLength)
                {
                    throw new WeightsFormatException($"'{source}' is truncated: tensor '{entry.Name}' ends at byte {entry.End} of the data section, which holds {dataLength} bytes.");
                }
                entries[entry.Name] = entry;
            }
        }
        return entries;
    }
}
