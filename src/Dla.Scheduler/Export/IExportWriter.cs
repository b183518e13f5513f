namespace Dla.Scheduler.Export;

/// <summary>Writes export rows in one format to a stream, in one pass, without holding the rows.</summary>
public interface IExportWriter
{
    /// <summary>The MIME type of the output.</summary>
    string ContentType { get; }

    /// <summary>The usual file extension, with the dot.</summary>
    string FileExtension { get; }

    /// <summary>Writes every row to <paramref name="output"/> (which need not be seekable) and flushes it.</summary>
    Task WriteAsync(IAsyncEnumerable<ExportRow> rows, Stream output, CancellationToken cancellationToken);
}

/// <summary>The export formats by name.</summary>
public static class ExportFormats
{
    /// <summary>The names accepted by <see cref="Create"/>.</summary>
    public static readonly IReadOnlyList<string> Names = ["parquet", "csv", "jsonl"];

    /// <summary>The writer of <paramref name="format"/> (<c>parquet</c>, <c>csv</c> or <c>jsonl</c>).</summary>
    /// <exception cref="ArgumentException">Unknown format.</exception>
    public static IExportWriter Create(string format, ExportSettings settings) => format.ToLowerInvariant() switch
    {
        "parquet" => new ParquetExportWriter(settings.Provenance),
        "csv" => new CsvExportWriter(settings),
        "jsonl" => new JsonLinesExportWriter(settings),
        _ => throw new ArgumentException($"Unknown export format '{format}': use {string.Join(", ", Names)}."),
    };
}
