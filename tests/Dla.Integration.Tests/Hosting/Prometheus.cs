using System.Globalization;
using System.Text;

namespace Dla.Integration.Tests.Hosting;

/// <summary>One sample of a Prometheus text exposition: a name, its labels and a value.</summary>
internal sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public override string ToString() =>
        $"{Name}{{{string.Join(',', Labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}} {Value.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>Scrapes and parses <c>/metrics</c> (the Prometheus text format, version 0.0.4).</summary>
internal static class Prometheus
{
    public static async Task<IReadOnlyList<Sample>> ScrapeAsync(HttpClient http, string url, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode} {text}");
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return Parse(text);
    }

    /// <summary>The sum of the samples named <paramref name="name"/> whose labels include <paramref name="labels"/>; null when there are none.</summary>
    public static double? Value(this IReadOnlyList<Sample> samples, string name, params (string Key, string Value)[] labels)
    {
        var matching = samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList();
        return matching.Count == 0 ? null : matching.Sum(s => s.Value);
    }

    public static IReadOnlyList<Sample> Parse(string text) =>
        text.Split('\n').Where(line => line.Length > 0 && line[0] != '#').Select(ParseLine).ToList();

    private static Sample ParseLine(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
        {
            i++;
        }
        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var equals = line.IndexOf('=', i);
                var key = line[i..equals].Trim(' ', ',');
                var labelValue = new StringBuilder();
                for (i = equals + 2; line[i] != '"'; i++)
                {
                    labelValue.Append(line[i] == '\\' ? line[++i] switch { 'n' => '\n', var c => c } : line[i]);
                }
                labels[key] = labelValue.ToString();
                i++;
                if (line[i] == ',')
                {
                    i++;
                }
            }
            i++;
        }
        var value = line[i..].Trim().Split(' ')[0];
        return new Sample(name, labels, value switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(value, CultureInfo.InvariantCulture),
        });
    }
}
