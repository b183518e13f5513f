using Dla.Modeling.Architecture;

namespace Dla.Modeling.Weights;

/// <summary>
/// Seeded random initialisation, following timm's DLA init (conv weights normal with std
/// sqrt(2 / (k·k·out)), BatchNorm weight 1 and bias 0) and PyTorch's default for the classifier.
/// The same seed gives the same weights on every machine.
/// </summary>
public static class RandomWeights
{
    /// <summary>Creates untrained weights for <paramref name="network"/>.</summary>
    public static ModelWeights Create(DlaNetwork network, int seed)
    {
        var random = new Random(seed);
        var tensors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var op in network.Ops)
        {
            switch (op)
            {
                case ConvOp conv:
                    var shape = conv.WeightShape;
                    var count = shape.Aggregate(1, (a, b) => a * b);
                    tensors[$"{conv.Module}.weight"] = Normal(random, count, Math.Sqrt(2.0 / (conv.Kernel * conv.Kernel * conv.OutChannels)));
                    if (conv.BatchNorm is { } bn)
                    {
                        tensors[$"{bn}.weight"] = Filled(conv.OutChannels, 1f);
                        tensors[$"{bn}.bias"] = Filled(conv.OutChannels, 0f);
                        tensors[$"{bn}.running_mean"] = Filled(conv.OutChannels, 0f);
                        tensors[$"{bn}.running_var"] = Filled(conv.OutChannels, 1f);
                    }
                    break;
                case ClassifierOp fc:
                    var bound = 1.0 / Math.Sqrt(fc.InFeatures);
                    tensors[$"{fc.Module}.weight"] = Uniform(random, fc.Classes * fc.InFeatures, bound);
                    tensors[$"{fc.Module}.bias"] = Uniform(random, fc.Classes, bound);
                    break;
            }
        }
        return new ModelWeights(tensors, $"random:{seed}", untrained: true);
    }

    private static float[] Filled(int count, float value) => Enumerable.Repeat(value, count).ToArray();

    private static float[] Uniform(Random random, int count, double bound)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2 - 1) * bound);
        }
        return values;
    }

    private static float[] Normal(Random random, int count, double std)
    {
        var values = new float[count];
        for (var i = 0; i < count; i += 2)
        {
            // Box–Muller: two independent normals per pair of uniforms.
            var radius = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * std;
            var angle = 2 * Math.PI * random.NextDouble();
            values[i] = (float)(radius * Math.Cos(angle));
            if (i + 1 < count)
            {
                values[i + 1] = (float)(radius * Math.Sin(angle));
            }
        }
        return values;
    }
}
