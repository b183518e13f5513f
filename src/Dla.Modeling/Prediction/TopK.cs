using Dla.Modeling.Labels;

namespace Dla.Modeling.Prediction;

/// <summary>Softmax and top-k over one image's logits (computed in double, like a float64 softmax).</summary>
public static class TopK
{
    /// <summary>The <paramref name="k"/> most probable classes, most probable first; ties keep the lower index first.</summary>
    public static IReadOnlyList<ClassScore> Select(ReadOnlySpan<float> logits, int k)
    {
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
            result[i] = new ClassScore(index, ImageNetLabels.LabelFor(index, logits.Length), (float)(Math.Exp(values[index] - max) / sum));
        }
        return result;
    }
}
