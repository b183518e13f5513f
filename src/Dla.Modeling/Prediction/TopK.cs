using Dla.Modeling.Labels;

namespace Dla.Modeling.Prediction;

/// <summary>Softmax and top-k over one image's logits (computed in double, like a float64 softmax).</summary>
public static class TopK
{
    /// <summary>
    /// The <paramref name="k"/> most probable classes, most probable first; ties keep the lower index first.
    /// Named from <paramref name="labels"/> when given (one per class), else <see cref="ImageNetLabels.LabelFor"/>.
    /// </summary>
    public static IReadOnlyList<ClassScore> Select(ReadOnlySpan<float> logits, int k, IReadOnlyList<string>? labels = null)
    {
        if (labels is not null && labels.Count != logits.Length)
        {
            throw new ArgumentException($"{labels.Count} class names were given for a classifier of {logits.Length} classes.", nameof(labels));
        }
        var max = double.NegativeInfinity;
        foreach (var v in logits)
        {
            max = Math.Max(max, v);
        }
        var sum = 0.0;
        foreach (var v in logits)
        {
            sum += Math.Exp(v - max);
        }
        var count = Math.Clamp(k, 0, logits.Length);
        var order = Enumerable.Range(0, logits.Length).ToArray();
        var values = logits.ToArray();
        Array.Sort(order, (a, b) => values[b] != values[a] ? values[b].CompareTo(values[a]) : a.CompareTo(b));
        var result = new ClassScore[count];
        for (var i = 0; i < count; i++)
        {
            var index = order[i];
            result[i] = new ClassScore(index, labels?[index] ?? ImageNetLabels.LabelFor(index, logits.Length), (float)(Math.Exp(values[index] - max) / sum));
        }
        return result;
    }
}
