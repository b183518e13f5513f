using Parquet;
using Parquet.Schema;

namespace Dla.Scheduler.Export;

/// <summary>
/// Apache Parquet, one row per manifest image: <c>image_id</c> (int64), <c>path</c>, the top-k as
/// three parallel lists (<c>top_k_index</c> list&lt;int32&gt;, <c>top_k_label</c> list&lt;string&gt;,
/// <c>top_k_probability</c> list&lt;float&gt;), <c>embedding</c> (list&lt;float&gt;), and
/// <c>error_kind</c> / <c>error_message</c> (null for results). Empty lists stand for "none".
/// Written a row group at a time, so any number of rows streams in bounded memory. The file's key-value
/// metadata holds the job's provenance (<see cref="ExportSettings.Provenance"/>).
/// </summary>
public sealed class ParquetExportWriter(IReadOnlyDictionary<string, string>? provenance = null) : IExportWriter
{
    /// <summary>Rows per row group: large enough for readers, small enough to buffer (a 1024-float embedding is 4 KiB).</summary>
    public const int RowGroupSize = 4096;

    private static readonly DataField<long> ImageId = new("image_id");
    private static readonly DataField<string> Path = new("path");
    private static readonly ListField TopKIndex = new("top_k_index", new DataField<int>("element"));
    private static readonly ListField TopKLabel = new("top_k_label", new DataField<string>("element"));
    private static readonly ListField TopKProbability = new("top_k_probability", new DataField<float>("element"));
    private static readonly ListField Embedding = new("embedding", new DataField<float>("element"));
    private static readonly DataField<string> ErrorKind = new("error_kind", nullable: true);
    private static readonly DataField<string> ErrorMessage = new("error_message", nullable: true);

    /// <summary>The file's schema.</summary>
    public static ParquetSchema Schema { get; } = new(ImageId, Path, TopKIndex, TopKLabel, TopKProbability, Embedding, ErrorKind, ErrorMessage);

    /// <inheritdoc />
    public string ContentType => "application/vnd.apache.parquet";

    /// <inheritdoc />
    public string FileExtension => ".parquet";

    /// <inheritdoc />
    public async Task WriteAsync(IAsyncEnumerable<ExportRow> rows, Stream output, CancellationToken cancellationToken)
    {
        // Parquet.Net records byte offsets and writes synchronously; the buffer gives it a position
        // and lets each row group reach a non-seekable, async-only stream (an HTTP response) whole.
        await using var buffer = new ForwardOnlyBuffer(output);
        await using (var writer = await ParquetWriter.CreateAsync(Schema, buffer, cancellationToken: cancellationToken))
        {
            if (provenance is { Count: > 0 })
            {
                writer.CustomMetadata = provenance.Where(p => p.Value.Length > 0).ToDictionary();
            }
            var group = new List<ExportRow>(RowGroupSize);
            await foreach (var row in rows.WithCancellation(cancellationToken))
            {
                group.Add(row);
                if (group.Count == RowGroupSize)
                {
                    await WriteGroupAsync(writer, group, cancellationToken);
                    await buffer.DrainAsync(cancellationToken);
                    group.Clear();
                }
            }
            if (group.Count > 0)
            {
                await WriteGroupAsync(writer, group, cancellationToken);
            }
        }
        await buffer.DrainAsync(cancellationToken);
        await output.FlushAsync(cancellationToken);
    }

    private static async Task WriteGroupAsync(ParquetWriter writer, List<ExportRow> rows, CancellationToken cancellationToken)
    {
        using var group = writer.CreateRowGroup();
        await group.WriteAsync<long>(ImageId, rows.Select(r => r.ImageId).ToArray(), cancellationToken: cancellationToken);
        await group.WriteAsync(Path, rows.Select(r => r.Path).ToArray());
        await WriteListAsync(group, TopKIndex, rows, r => r.TopK?.Select(c => (int?)c.Index), cancellationToken);
        var (labels, labelLevels) = Flatten(rows, r => r.TopK?.Select(c => c.Label));
        await group.WriteAsync((DataField)TopKLabel.Item, labels!, labelLevels);
        await WriteListAsync(group, TopKProbability, rows, r => r.TopK?.Select(c => (float?)c.Probability), cancellationToken);
        await WriteListAsync(group, Embedding, rows, r => r.Embedding?.Select(v => (float?)v), cancellationToken);
        await group.WriteAsync(ErrorKind, rows.Select(r => r.Error?.Kind).ToArray()!);
        await group.WriteAsync(ErrorMessage, rows.Select(r => r.Error?.Message).ToArray()!);
    }

    private static async Task WriteListAsync<T>(ParquetRowGroupWriter group, ListField field, List<ExportRow> rows, Func<ExportRow, IEnumerable<T?>?> items, CancellationToken cancellationToken)
        where T : struct
    {
        var (values, levels) = Flatten<T?>(rows, items);
        await group.WriteAsync<T>((DataField)field.Item, values, levels, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Dremel encoding of one list column: values of all rows in order, with repetition level 0 where a
    /// row's list starts and 1 inside it; an empty list is a single null at level 0.
    /// </summary>
    private static (TValue?[] Values, int[] Levels) Flatten<TValue>(List<ExportRow> rows, Func<ExportRow, IEnumerable<TValue?>?> items)
    {
        var values = new List<TValue?>(rows.Count);
        var levels = new List<int>(rows.Count);
        foreach (var row in rows)
        {
            var first = true;
            foreach (var item in items(row) ?? [])
            {
                values.Add(item);
                levels.Add(first ? 0 : 1);
                first = false;
            }
            if (first)
            {
                values.Add(default);
                levels.Add(0);
            }
        }
        return (values.ToArray(), levels.ToArray());
    }
}
