using System.Collections.Concurrent;

namespace Dla.Modeling.Images;

/// <summary>
/// <see cref="ResampleKernel"/>s by geometry, shared between threads. A dataset's photographs mostly come in a few sizes
/// (one camera, one export), and computing both kernels of every image was 39 % of the bytes a 10,000-photograph job
/// allocated (docs/benchmarks.md, "Session 18").
/// </summary>
/// <param name="capacity">Geometries kept before the cache starts over.</param>
internal sealed class ResampleKernelCache(int capacity)
{
    /// <summary>
    /// The process's cache. A kernel is a few thousand weights (about 14 KB for a 1000×750 photograph cropped to 32×32, up
    /// to ~60 KB for a 4000-pixel side at 224), so 256 geometries stay within a few MB.
    /// </summary>
    public static ResampleKernelCache Shared { get; } = new(256);

    private readonly ConcurrentDictionary<(int InSize, int OutSize, int Start, int Length), ResampleKernel> _kernels = new();
    private int _added;

    /// <summary>Geometries held now.</summary>
    public int Count => _kernels.Count;

    /// <summary>The kernel of this geometry: the one computed before, or a new one (<see cref="ResampleKernel.Compute"/>).</summary>
    public ResampleKernel Get(int inSize, int outSize, int start, int length)
    {
        var geometry = (inSize, outSize, start, length);
        if (_kernels.TryGetValue(geometry, out var kernel))
        {
            return kernel;
        }
        kernel = ResampleKernel.Compute(inSize, outSize, start, length);
        // Every image a new size (a dataset of varied photographs): start over rather than grow without bound. The count
        // is approximate under races, which only moves the moment of the reset.
        if (_kernels.TryAdd(geometry, kernel) && Interlocked.Increment(ref _added) > capacity)
        {
            _kernels.Clear();
            Interlocked.Exchange(ref _added, 0);
        }
        return kernel;
    }
}
