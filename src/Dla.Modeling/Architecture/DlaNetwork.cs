namespace Dla.Modeling.Architecture;

/// <summary>
/// A DLA network unrolled into <see cref="NetworkOp"/>s, following timm's <c>DLA</c>, <c>DlaTree</c>,
/// <c>DlaRoot</c> and block classes exactly (see shared/notes/dla-architecture.md). Inference form:
/// dropout is gone and BatchNorm uses running statistics.
/// </summary>
public sealed class DlaNetwork
{
    /// <summary>Name of the network input value.</summary>
    public const string InputName = "input";

    /// <summary>Name of the pooled-features value (timm's <c>pre_logits</c>).</summary>
    public const string EmbeddingName = "embedding";

    /// <summary>Name of the classifier output value.</summary>
    public const string LogitsName = "logits";

    private DlaNetwork(DlaArchitecture architecture, int numClasses, IReadOnlyList<NetworkOp> ops)
    {
        Architecture = architecture;
        NumClasses = numClasses;
        Ops = ops;
    }

    /// <summary>The constructor arguments the network was built from.</summary>
    public DlaArchitecture Architecture { get; }

    /// <summary>Number of classifier outputs.</summary>
    public int NumClasses { get; }

    /// <summary>The operations in execution order.</summary>
    public IReadOnlyList<NetworkOp> Ops { get; }

    /// <summary>Unrolls an architecture with a classifier of <paramref name="numClasses"/> outputs.</summary>
    public static DlaNetwork Build(DlaArchitecture architecture, int numClasses = 1000)
    {
        architecture.Validate();
        if (numClasses < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "A classifier needs at least one class.");
        }
        var builder = new DlaNetworkBuilder(architecture);
        var features = builder.Trunk(InputName);
        builder.Head(features, numClasses);
        return new DlaNetwork(architecture, numClasses, builder.Ops);
    }
}
