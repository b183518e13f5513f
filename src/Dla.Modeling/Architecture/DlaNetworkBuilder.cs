namespace Dla.Modeling.Architecture;

/// <summary>Emits the ops of one network; each method mirrors one timm module.</summary>
internal sealed class DlaNetworkBuilder(DlaArchitecture arch)
{
    private readonly Dictionary<string, int> _channels = new(StringComparer.Ordinal);
    private int _counter;

    public List<NetworkOp> Ops { get; } = [];

    /// <summary>base_layer, level0 … level5: returns the level5 feature map.</summary>
    public string Trunk(string input)
    {
        _channels[input] = 3;
        var c = arch.Channels;
        var x = ConvBn(input, "base_layer.0", "base_layer.1", c[0], 7, 1, 1, relu: true);
        x = ConvLevel(x, "level0", arch.Levels[0], c[0], 1);
        x = ConvLevel(x, "level1", arch.Levels[1], c[1], 2);
        x = Tree(x, "level2", arch.Levels[2], c[1], c[2], 2, levelRoot: false, 0, null);
        x = Tree(x, "level3", arch.Levels[3], c[2], c[3], 2, levelRoot: true, 0, null);
        x = Tree(x, "level4", arch.Levels[4], c[3], c[4], 2, levelRoot: true, 0, null);
        return Tree(x, "level5", arch.Levels[5], c[4], c[5], 2, levelRoot: true, 0, null);
    }

    /// <summary>global_pool → flatten (the embedding) → fc (the logits).</summary>
    public void Head(string features, int numClasses)
    {
        Ops.Add(new GlobalPoolOp(features, DlaNetwork.EmbeddingName));
        Ops.Add(new ClassifierOp(DlaNetwork.EmbeddingName, DlaNetwork.LogitsName, "fc", arch.Channels[5], numClasses));
    }

    /// <summary>level0/level1: conv-BN-ReLU triples in an nn.Sequential, stride on the first.</summary>
    private string ConvLevel(string x, string name, int repeats, int outChannels, int stride)
    {
        for (var i = 0; i < repeats; i++)
        {
            x = ConvBn(x, $"{name}.{3 * i}", $"{name}.{3 * i + 1}", outChannels, 3, i == 0 ? stride : 1, 1, relu: true);
        }
        return x;
    }

    /// <summary>DlaTree.forward; <paramref name="children"/> is the list handed down from the parent.</summary>
    private string Tree(string x, string prefix, int levels, int inCh, int outCh, int stride, bool levelRoot, int rootDim, List<string>? children)
    {
        children ??= [];
        if (rootDim == 0)
        {
            rootDim = 2 * outCh;
        }
        if (levelRoot)
        {
            rootDim += inCh;
        }
        var needsBottom = levelRoot || levels == 1;
        var bottom = needsBottom && stride > 1 ? Emit(new MaxPoolOp(x, Next()), inCh) : x;
        if (levelRoot)
        {
            children.Add(bottom);
        }
        if (levels == 1)
        {
            var shortcut = inCh != outCh ? ConvBn(bottom, $"{prefix}.project.0", $"{prefix}.project.1", outCh, 1, 1, 1, relu: false) : bottom;
            var x1 = Block(x, $"{prefix}.tree1", inCh, outCh, stride, shortcut);
            var x2 = Block(x1, $"{prefix}.tree2", outCh, outCh, 1, x1);
            return Root([x2, x1, .. children], $"{prefix}.root", rootDim, outCh);
        }
        var left = Tree(x, $"{prefix}.tree1", levels - 1, inCh, outCh, stride, levelRoot: false, 0, null);
        children.Add(left);
        return Tree(left, $"{prefix}.tree2", levels - 1, outCh, outCh, 1, levelRoot: false, rootDim + outCh, children);
    }

    /// <summary>DlaRoot: concat → 1×1 conv → BN → (+ first child) → ReLU.</summary>
    private string Root(List<string> children, string prefix, int rootDim, int outCh)
    {
        var concatenated = children.Sum(c => _channels[c]);
        if (concatenated != rootDim)
        {
            throw new InvalidOperationException($"{prefix}: root expects {rootDim} input channels but its children carry {concatenated}.");
        }
        var cat = Emit(new ConcatOp(children, Next()), rootDim);
        var y = ConvBn(cat, $"{prefix}.conv", $"{prefix}.bn", outCh, 1, 1, 1, relu: false);
        if (arch.ShortcutRoot)
        {
            y = Emit(new AddOp(y, children[0], Next()), outCh);
        }
        return Relu(y);
    }

    private string Block(string x, string prefix, int inCh, int outCh, int stride, string shortcut) => arch.Block switch
    {
        DlaBlockType.Basic => Basic(x, prefix, outCh, stride, shortcut),
        DlaBlockType.Bottleneck => Bottleneck(x, prefix, outCh, stride, shortcut),
        DlaBlockType.Bottle2neck => Bottle2neck(x, prefix, outCh, stride, shortcut),
        _ => throw new InvalidOperationException($"Unknown block {arch.Block}."),
    };

    private string Basic(string x, string prefix, int outCh, int stride, string shortcut)
    {
        var y = ConvBn(x, $"{prefix}.conv1", $"{prefix}.bn1", outCh, 3, stride, 1, relu: true);
        y = ConvBn(y, $"{prefix}.conv2", $"{prefix}.bn2", outCh, 3, 1, 1, relu: false);
        return Residual(y, shortcut, outCh);
    }

    private string Bottleneck(string x, string prefix, int outCh, int stride, string shortcut)
    {
        var mid = arch.BottleneckWidth(outCh);
        var y = ConvBn(x, $"{prefix}.conv1", $"{prefix}.bn1", mid, 1, 1, 1, relu: true);
        y = ConvBn(y, $"{prefix}.conv2", $"{prefix}.bn2", mid, 3, stride, arch.Cardinality, relu: true);
        y = ConvBn(y, $"{prefix}.conv3", $"{prefix}.bn3", outCh, 1, 1, 1, relu: false);
        return Residual(y, shortcut, outCh);
    }

    /// <summary>DlaBottle2neck with scale 4; the stride-2 ("first") form pools the last split instead of passing it.</summary>
    private string Bottle2neck(string x, string prefix, int outCh, int stride, string shortcut)
    {
        const int scale = DlaArchitecture.Res2NetScale;
        var mid = arch.BottleneckWidth(outCh);
        var isFirst = stride > 1;
        var t = ConvBn(x, $"{prefix}.conv1", $"{prefix}.bn1", mid * scale, 1, 1, 1, relu: true);
        var splits = Enumerable.Range(0, scale).Select(_ => Next()).ToArray();
        Ops.Add(new SplitOp(t, splits, mid));
        foreach (var s in splits)
        {
            _channels[s] = mid;
        }
        var outputs = new List<string>();
        for (var i = 0; i < scale - 1; i++)
        {
            var branchInput = i == 0 || isFirst ? splits[i] : Emit(new AddOp(outputs[i - 1], splits[i], Next()), mid);
            outputs.Add(ConvBn(branchInput, $"{prefix}.convs.{i}", $"{prefix}.bns.{i}", mid, 3, stride, arch.Cardinality, relu: true));
        }
        outputs.Add(isFirst ? Emit(new AvgPoolOp(splits[scale - 1], Next()), mid) : splits[scale - 1]);
        var cat = Emit(new ConcatOp(outputs, Next()), mid * scale);
        var y = ConvBn(cat, $"{prefix}.conv3", $"{prefix}.bn3", outCh, 1, 1, 1, relu: false);
        return Residual(y, shortcut, outCh);
    }

    private string Residual(string y, string shortcut, int channels) => Relu(Emit(new AddOp(y, shortcut, Next()), channels));

    private string ConvBn(string x, string conv, string bn, int outCh, int kernel, int stride, int groups, bool relu)
    {
        var y = Emit(new ConvOp(x, Next(), conv, bn, _channels[x], outCh, kernel, stride, groups), outCh);
        return relu ? Relu(y) : y;
    }

    private string Relu(string x) => Emit(new ReluOp(x, Next()), _channels[x]);

    private string Emit(NetworkOp op, int outChannels)
    {
        Ops.Add(op);
        var output = op switch
        {
            ConvOp c => c.Output,
            ReluOp r => r.Output,
            AddOp a => a.Output,
            MaxPoolOp m => m.Output,
            AvgPoolOp p => p.Output,
            ConcatOp c => c.Output,
            _ => throw new InvalidOperationException($"{op.GetType().Name} has no single output."),
        };
        _channels[output] = outChannels;
        return output;
    }

    private string Next() => $"t{++_counter}";
}
