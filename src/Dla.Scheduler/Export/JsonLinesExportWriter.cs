using System.Text.Json;

namespace Dla.Scheduler.Export;

/// <summary>
/// JSON lines as <c>dla predict</c> writes them: <c>{"path": ..., "top_k": [{"index", "label", "probability"}], "embedding": [...]}</c>
/// or <c>{"path": ..., "error": {"kind", "message"}}</c>, plus <c>"untrained": true</c> for random weights.
/// </summary>
public sealed class JsonLinesExportWriter(ExportSettings settings) : IExportWriter
{
    /// <inheritdoc />
    public string ContentType => "application/x-ndjson";

    /// <inheritdoc />
    public string FileExtension => ".jsonl";

    /// <inheritdoc />
    public async Task WriteAsync(IAsyncEnumerable<ExportRow> rows, Stream output, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        await using var json = new Utf8JsonWriter(buffer);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            WriteRow(json, row);
            await json.FlushAsync(cancellationToken);
            buffer.WriteByte((byte)'\n');
            json.Reset();
            if (buffer.Length >= 1 << 16)
            {
                await FlushAsync(buffer, output, cancellationToken);
            }
        }
        await FlushAsync(buffer, output, cancellationToken);
        await output.FlushAsync(cancellationToken);
    }

    private void WriteRow(Utf8JsonWriter json, ExportRow row)
    {
        json.WriteStartObject();
        json.WriteString("path", row.Path);
        if (row.Error is { } error)
        {
            json.WriteStartObject("error");
            json.WriteString("kind", error.Kind);
            json.WriteString("message", error.Message);
            json.WriteEndObject();
        }
        else
        {
            if (row.TopK is { } topK)
            {
                json.WriteStartArray("top_k");
                foreach (var c in topK)
                {
                    json.WriteStartObject();
                    json.WriteNumber("index", c.Index);
                    json.WriteString("label", c.Label);
                    json.WriteNumber("probability", c.Probability);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            if (row.Embedding is { } embedding)
            {
                json.WriteStartArray("embedding");
                foreach (var v in embedding)
                {
                    json.WriteNumberValue(v);
                }
                json.WriteEndArray();
            }
            if (settings.Untrained)
            {
                json.WriteBoolean("untrained", true);
            }
        }
        json.WriteEndObject();
    }

    private static async Task FlushAsync(MemoryStream buffer, Stream output, CancellationToken cancellationToken)
    {
        await output.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
        buffer.SetLength(0);
    }
}
