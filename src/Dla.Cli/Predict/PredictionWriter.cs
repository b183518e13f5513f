using System.Globalization;
using System.Text;
using System.Text.Json;
using Dla.Modeling.Prediction;

namespace Dla.Cli.Predict;

/// <summary>Output formats of <c>predict</c>: JSON lines, or CSV in timm inference.py's separate-column layout.</summary>
internal abstract class PredictionWriter(TextWriter output)
{
    protected TextWriter Output { get; } = output;

    public static PredictionWriter Create(string format, TextWriter output, int topK, bool embeddings, bool untrained) => format.ToLowerInvariant() switch
    {
        "jsonl" => new JsonLinesWriter(output, untrained),
        "csv" => new CsvWriter(output, topK, embeddings),
        _ => throw new ArgumentException($"Unknown format '{format}': use jsonl or csv."),
    };

    public abstract void Write(PredictionResult result);
}

/// <summary><c>{"path": ..., "top_k": [...], "embedding": [...]}</c> or <c>{"path": ..., "error": {...}}</c>, one per line.</summary>
internal sealed class JsonLinesWriter(TextWriter output, bool untrained) : PredictionWriter(output)
{
    public override void Write(PredictionResult result)
    {
        var line = new PredictionLine(result.Id, result.TopK?.Select(c => new ClassLine(c.Index, c.Label, c.Probability)).ToList(),
            result.Embedding, result.Error is { } e ? new ErrorLine(e.Kind, e.Message) : null, untrained && result.Succeeded ? true : null);
        Output.WriteLine(JsonSerializer.Serialize(line, CliJson.Default.PredictionLine));
    }
}

/// <summary>
/// timm's <c>inference.py --results-separate-col --include-index</c> layout: <c>image, index_0.., label_0.., prob_0..</c>,
/// then <c>embedding</c> (space-separated) when requested and <c>error</c> for unreadable images.
/// </summary>
internal sealed class CsvWriter : PredictionWriter
{
    private readonly int _topK;
    private readonly bool _embeddings;

    public CsvWriter(TextWriter output, int topK, bool embeddings) : base(output)
    {
        _topK = topK;
        _embeddings = embeddings;
        var columns = new List<string> { "image" };
        columns.AddRange(Enumerable.Range(0, topK).Select(i => $"index_{i}"));
        columns.AddRange(Enumerable.Range(0, topK).Select(i => $"label_{i}"));
        columns.AddRange(Enumerable.Range(0, topK).Select(i => $"prob_{i}"));
        if (embeddings)
        {
            columns.Add("embedding");
        }
        columns.Add("error");
        Output.WriteLine(string.Join(",", columns));
    }

    public override void Write(PredictionResult result)
    {
        var cells = new List<string> { Quote(result.Id) };
        var top = result.TopK ?? [];
        cells.AddRange(Enumerable.Range(0, _topK).Select(i => i < top.Count ? top[i].Index.ToString(CultureInfo.InvariantCulture) : ""));
        cells.AddRange(Enumerable.Range(0, _topK).Select(i => i < top.Count ? Quote(top[i].Label) : ""));
        cells.AddRange(Enumerable.Range(0, _topK).Select(i => i < top.Count ? top[i].Probability.ToString("R", CultureInfo.InvariantCulture) : ""));
        if (_embeddings)
        {
            cells.Add(result.Embedding is null ? "" : string.Join(' ', result.Embedding.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        }
        cells.Add(result.Error is { } e ? Quote($"{e.Kind}: {e.Message}") : "");
        Output.WriteLine(string.Join(",", cells));
    }

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : new StringBuilder("\"").Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"').ToString();
}

internal sealed record PredictionLine(string Path, List<ClassLine>? TopK, float[]? Embedding, ErrorLine? Error, bool? Untrained);

internal sealed record ClassLine(int Index, string Label, float Probability);

internal sealed record ErrorLine(string Kind, string Message);
