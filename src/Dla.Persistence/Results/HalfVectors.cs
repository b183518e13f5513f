using Pgvector;

namespace Dla.Persistence.Results;

/// <summary>float32 embeddings to and from pgvector's <c>halfvec</c> (IEEE float16, round to nearest even).</summary>
public static class HalfVectors
{
    /// <summary>The halfvec of <paramref name="values"/>; values beyond float16's range become ±infinity, which pgvector refuses.</summary>
    public static HalfVector Of(float[] values)
    {
        var halves = new Half[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            halves[i] = (Half)values[i];
        }
        return new HalfVector(halves);
    }

    /// <summary>The float32 values of <paramref name="vector"/> (exact: every float16 is a float32).</summary>
    public static float[] ToSingles(HalfVector vector)
    {
        var halves = vector.ToArray();
        var values = new float[halves.Length];
        for (var i = 0; i < halves.Length; i++)
        {
            values[i] = (float)halves[i];
        }
        return values;
    }

    /// <summary>Rounds every value to the nearest float16 in place: what a halfvec column would give back.</summary>
    public static void Round(float[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(Half)values[i];
        }
    }
}
