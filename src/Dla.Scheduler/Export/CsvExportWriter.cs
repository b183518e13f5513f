using System.Globalization;
using System.Text;

namespace Dla.Scheduler.Export;

/// <summary>
/// CSV in timm <c>inference.py</c>'s separate-column layout, as <c>dla predict --format csv</c>:
/// <c>image, index_0.., label_0.., prob_0..</c>, then <c>embedding</c> (space-separated) when the job
/// embeds, and <c>error</c> (<c>kind: message</c>) for images without a result. A job with random weights gets a
/// last column <c>untrained</c> (<c>true</c> on every result), as JSON Lines marks its rows.
/// </summary>
public sealed class CsvExportWriter(ExportSettings settings) : IExportWriter
{
    /// <inheritdoc />
    public string ContentType => "text/csv";

    /// <inheritdoc />
    public string FileExtension => ".csv";

    /// <inheritdoc />
    public async Task WriteAsync(IAsyncEnumerable<ExportRow> rows, Stream output, CancellationToken cancellationToken)
    {
        var k = settings.Classify ? settings.TopK : 0;
        await using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        await writer.WriteLineAsync(Header(k));
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            await writer.WriteLineAsync(Line(row, k));
        }
        await writer.FlushAsync(cancellationToken);
    }

    private string Header(int k)
    {
        var columns = new List<string> { "image" };
        columns.AddRange(Enumerable.Range(0, k).Select(i => $"index_{i}"));
        columns.AddRange(Enumerable.Range(0, k).Select(i => $"label_{i}"));
        columns.AddRange(Enumerable.Range(0, k).Select(i => $"prob_{i}"));
        if (settings.Embed)
        {
            columns.Add("embedding");
        }
        columns.Add("error");
        if (settings.Untrained)
        {
            columns.Add("untrained");
        }
        return string.Join(',', columns);
    }

    private string Line(ExportRow row, int k)
    {
        var cells = new List<string>(3 * k + 3) { Quote(row.Path) };
        var top = row.TopK ?? [];
        cells.AddRange(Enumerable.Range(0, k).Select(i => i < top.Count ? top[i].Index.ToString(CultureInfo.InvariantCulture) : ""));
        cells.AddRange(Enumerable.Range(0, k).Select(i => i < top.Count ? Quote(top[i].Label) : ""));
        cells.AddRange(Enumerable.Range(0, k).Select(i => i < top.Count ? top[i].Probability.ToString("R", CultureInfo.InvariantCulture) : ""));
        if (settings.Embed)
        {
            cells.Add(row.Embedding is null ? "" : string.Join(' ', row.Embedding.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        }
        cells.Add(row.Error is { } e ? Quote($"{e.Kind}: {e.Message}") : "");
        if (settings.Untrained)
        {
            cells.Add(row.Error is null ? "true" : "");
        }
        return string.Join(',', cells);
    }

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
