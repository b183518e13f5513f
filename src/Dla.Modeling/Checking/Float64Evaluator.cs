using Dla.Modeling.Architecture;
using Dla.Modeling.Weights;

namespace Dla.Modeling.Checking;

/// <summary>
/// A deliberately naive float64 interpreter of <see cref="DlaNetwork"/> ops with unfolded
/// BatchNorm: an independent oracle that shares nothing with ONNX Runtime. When a deployment and a
/// float32 reference disagree, it tells whether the graph or the reference's rounding is at fault.
/// Slow (plain loops): meant for checks, not for serving.
/// </summary>
public sealed class Float64Evaluator(DlaNetwork network, ModelWeights weights)
{
    private sealed record Map(int C, int H, int W, double[] Data);

    /// <summary>Evaluates one image laid out as [3, height, width].</summary>
    public (double[] Logits, double[] Embedding) Run(float[] image, int height, int width)
    {
        var values = new Dictionary<string, Map> { [DlaNetwork.InputName] = new(3, height, width, image.Select(v => (double)v).ToArray()) };
        double[] embedding = [], logits = [];
        foreach (var op in network.Ops)
        {
            switch (op)
            {
                case ConvOp c: values[c.Output] = Conv(values[c.Input], c); break;
                case ReluOp r: values[r.Output] = Apply(values[r.Input], v => Math.Max(0, v)); break;
                case AddOp a: values[a.Output] = Zip(values[a.Left], values[a.Right]); break;
                case MaxPoolOp m: values[m.Output] = Pool(values[m.Input], 2, 2, 0, max: true); break;
                case AvgPoolOp p: values[p.Output] = Pool(values[p.Input], 3, 2, 1, max: false); break;
                case ConcatOp cat:
                    var parts = cat.Inputs.Select(i => values[i]).ToList();
                    values[cat.Output] = new(parts.Sum(p => p.C), parts[0].H, parts[0].W, parts.SelectMany(p => p.Data).ToArray());
                    break;
                case SplitOp s:
                    var src = values[s.Input];
                    var plane = src.H * src.W * s.ChunkChannels;
                    for (var i = 0; i < s.Outputs.Count; i++)
                    {
                        values[s.Outputs[i]] = new(s.ChunkChannels, src.H, src.W, src.Data.AsSpan(i * plane, plane).ToArray());
                    }
                    break;
                case GlobalPoolOp g:
                    var f = values[g.Input];
                    embedding = Enumerable.Range(0, f.C).Select(ch => f.Data.AsSpan(ch * f.H * f.W, f.H * f.W).ToArray().Average()).ToArray();
                    break;
                case ClassifierOp fc:
                    var w = weights[$"{fc.Module}.weight"];
                    var b = weights[$"{fc.Module}.bias"];
                    logits = Enumerable.Range(0, fc.Classes).Select(k => b[k] + Enumerable.Range(0, fc.InFeatures).Sum(i => (double)w[k * fc.InFeatures + i] * embedding[i])).ToArray();
                    break;
            }
        }
        return (logits, embedding);
    }

    private Map Conv(Map x, ConvOp c)
    {
        var w = weights[$"{c.Module}.weight"];
        int k = c.Kernel, p = c.Padding, s = c.Stride;
        int oh = (x.H + 2 * p - k) / s + 1, ow = (x.W + 2 * p - k) / s + 1;
        int inPerGroup = c.InChannels / c.Groups, outPerGroup = c.OutChannels / c.Groups;
        var y = new double[c.OutChannels * oh * ow];
        for (var o = 0; o < c.OutChannels; o++)
        {
            var g = o / outPerGroup;
            for (var i = 0; i < inPerGroup; i++)
            {
                var plane = (g * inPerGroup + i) * x.H * x.W;
                for (var ky = 0; ky < k; ky++)
                {
                    for (var kx = 0; kx < k; kx++)
                    {
                        double wv = w[((o * inPerGroup + i) * k + ky) * k + kx];
                        for (var yy = 0; yy < oh; yy++)
                        {
                            var iy = yy * s + ky - p;
                            if (iy < 0 || iy >= x.H) continue;
                            for (var xx = 0; xx < ow; xx++)
                            {
                                var ix = xx * s + kx - p;
                                if (ix >= 0 && ix < x.W) y[(o * oh + yy) * ow + xx] += wv * x.Data[plane + iy * x.W + ix];
                            }
                        }
                    }
                }
            }
        }
        if (c.BatchNorm is { } bn)
        {
            float[] gamma = weights[$"{bn}.weight"], beta = weights[$"{bn}.bias"], mean = weights[$"{bn}.running_mean"], var = weights[$"{bn}.running_var"];
            for (var o = 0; o < c.OutChannels; o++)
            {
                for (var i = o * oh * ow; i < (o + 1) * oh * ow; i++)
                {
                    y[i] = (y[i] - mean[o]) / Math.Sqrt(var[o] + 1e-5) * gamma[o] + beta[o];
                }
            }
        }
        return new(c.OutChannels, oh, ow, y);
    }

    private static Map Pool(Map x, int k, int s, int p, bool max)
    {
        int oh = (x.H + 2 * p - k) / s + 1, ow = (x.W + 2 * p - k) / s + 1;
        var y = new double[x.C * oh * ow];
        for (var c = 0; c < x.C; c++)
        for (var yy = 0; yy < oh; yy++)
        for (var xx = 0; xx < ow; xx++)
        {
            double acc = max ? double.NegativeInfinity : 0;
            for (var ky = 0; ky < k; ky++)
            for (var kx = 0; kx < k; kx++)
            {
                int iy = yy * s + ky - p, ix = xx * s + kx - p;
                var v = iy < 0 || ix < 0 || iy >= x.H || ix >= x.W ? 0 : x.Data[(c * x.H + iy) * x.W + ix];
                acc = max ? Math.Max(acc, v) : acc + v;
            }
            y[(c * oh + yy) * ow + xx] = max ? acc : acc / (k * k);
        }
        return new(x.C, oh, ow, y);
    }

    private static Map Apply(Map x, Func<double, double> f) => x with { Data = x.Data.Select(f).ToArray() };

    private static Map Zip(Map a, Map b) => a with { Data = a.Data.Zip(b.Data, (u, v) => u + v).ToArray() };
}
