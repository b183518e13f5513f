namespace Dla.Modeling.Architecture;

/// <summary>
/// The state_dict a network expects, in timm's naming: every tensor with its shape, and which of
/// them are trainable parameters (BatchNorm running statistics are buffers, not parameters).
/// </summary>
public static class StateDictLayout
{
    /// <summary>Every expected tensor (without <c>num_batches_tracked</c>, which loaders ignore).</summary>
    public static IEnumerable<ExpectedTensor> Expected(DlaNetwork network)
    {
        foreach (var op in network.Ops)
        {
            switch (op)
            {
                case ConvOp conv:
                    yield return new ExpectedTensor($"{conv.Module}.weight", conv.WeightShape, true);
                    if (conv.BatchNorm is { } bn)
                    {
                        int[] shape = [conv.OutChannels];
                        yield return new ExpectedTensor($"{bn}.weight", shape, true);
                        yield return new ExpectedTensor($"{bn}.bias", shape, true);
                        yield return new ExpectedTensor($"{bn}.running_mean", shape, false);
                        yield return new ExpectedTensor($"{bn}.running_var", shape, false);
                    }
                    break;
                case ClassifierOp fc:
                    yield return new ExpectedTensor($"{fc.Module}.weight", [fc.Classes, fc.InFeatures, 1, 1], true);
                    yield return new ExpectedTensor($"{fc.Module}.bias", [fc.Classes], true);
                    break;
            }
        }
    }

    /// <summary>Trainable parameters, as <c>sum(p.numel() for p in model.parameters())</c>.</summary>
    public static long Parameters(DlaNetwork network) =>
        Expected(network).Where(t => t.Trainable).Sum(t => t.Shape.Aggregate(1L, (a, b) => a * b));
}

/// <summary>One tensor of the expected state_dict.</summary>
/// <param name="Name">state_dict key.</param>
/// <param name="Shape">Expected shape.</param>
/// <param name="Trainable">True for parameters, false for BatchNorm buffers.</param>
public sealed record ExpectedTensor(string Name, int[] Shape, bool Trainable);
