namespace Dla.Modeling.Architecture;

/// <summary>
/// Multiply-accumulates of a network at a given input size, counted as the model card's
/// "conv+fc MACs" convention: every convolution and the classifier, nothing else.
/// </summary>
public static class NetworkCost
{
    /// <summary>MACs for one image of <paramref name="height"/>×<paramref name="width"/>.</summary>
    public static long Macs(DlaNetwork network, int height = 224, int width = 224)
    {
        var sizes = new Dictionary<string, (int H, int W)>(StringComparer.Ordinal) { [DlaNetwork.InputName] = (height, width) };
        long macs = 0;
        foreach (var op in network.Ops)
        {
            switch (op)
            {
                case ConvOp c:
                    var (h, w) = sizes[c.Input];
                    var outSize = (Out(h, c.Kernel, c.Stride, c.Padding), Out(w, c.Kernel, c.Stride, c.Padding));
                    sizes[c.Output] = outSize;
                    macs += (long)c.OutChannels * (c.InChannels / c.Groups) * c.Kernel * c.Kernel * outSize.Item1 * outSize.Item2;
                    break;
                case ClassifierOp fc:
                    macs += (long)fc.InFeatures * fc.Classes;
                    break;
                case MaxPoolOp m:
                    sizes[m.Output] = (sizes[m.Input].H / 2, sizes[m.Input].W / 2);
                    break;
                case AvgPoolOp p:
                    sizes[p.Output] = (Out(sizes[p.Input].H, 3, 2, 1), Out(sizes[p.Input].W, 3, 2, 1));
                    break;
                case ReluOp r:
                    sizes[r.Output] = sizes[r.Input];
                    break;
                case AddOp a:
                    sizes[a.Output] = sizes[a.Left];
                    break;
                case ConcatOp cat:
                    sizes[cat.Output] = sizes[cat.Inputs[0]];
                    break;
                case SplitOp s:
                    foreach (var o in s.Outputs)
                    {
                        sizes[o] = sizes[s.Input];
                    }
                    break;
            }
        }
        return macs;
    }

    private static int Out(int size, int kernel, int stride, int pad) => (size + 2 * pad - kernel) / stride + 1;
}
