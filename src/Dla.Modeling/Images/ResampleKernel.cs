namespace Dla.Modeling.Images;

/// <summary>
/// Fixed-point weights of PIL's antialiased BILINEAR resize along one axis, for a window of
/// output positions. Mirrors Pillow's <c>precompute_coeffs</c> and <c>normalize_coeffs_8bpc</c>
/// (libImaging/Resample.c) step by step, because the rounding of every weight shows in the output.
/// A kernel depends on its geometry alone, so <see cref="Bilinear"/> shares one per geometry between
/// all decode threads (<see cref="ResampleKernelCache"/>): its arrays are never written after construction.
/// </summary>
internal sealed class ResampleKernel
{
    /// <summary>Pillow's <c>PRECISION_BITS</c>: 32 bits minus 8 for the pixel, minus 2 for headroom.</summary>
    internal const int PrecisionBits = 32 - 8 - 2;

    private ResampleKernel(int size, int[] first, int[] count, int[] weights)
    {
        Size = size;
        First = first;
        Count = count;
        Weights = weights;
    }

    /// <summary>Weights per output position (<c>ksize</c>); row <c>i</c> of <see cref="Weights"/> starts at <c>i * Size</c>.</summary>
    public int Size { get; }

    /// <summary>First input index each output position reads.</summary>
    public int[] First { get; }

    /// <summary>Number of input indices each output position reads.</summary>
    public int[] Count { get; }

    /// <summary>Weights scaled by 2^22 and rounded away from zero, as Pillow stores them.</summary>
    public int[] Weights { get; }

    /// <summary>
    /// The kernel for output positions <c>[start, start + length)</c> of a resize from <paramref name="inSize"/> to
    /// <paramref name="outSize"/>, shared by every caller that asks for the same geometry.
    /// </summary>
    public static ResampleKernel Bilinear(int inSize, int outSize, int start, int length) =>
        ResampleKernelCache.Shared.Get(inSize, outSize, start, length);

    /// <summary>Pillow's <c>precompute_coeffs</c> and <c>normalize_coeffs_8bpc</c> for one geometry, uncached.</summary>
    internal static ResampleKernel Compute(int inSize, int outSize, int start, int length)
    {
        const double filterSupport = 1.0;
        var scale = (double)inSize / outSize;
        // Downscaling widens the triangle so every input pixel contributes (antialiasing).
        var filterScale = Math.Max(scale, 1.0);
        var support = filterSupport * filterScale;
        var size = ((int)Math.Ceiling(support) * 2) + 1;
        var inverse = 1.0 / filterScale;

        var first = new int[length];
        var count = new int[length];
        var weights = new int[length * size];
        Span<double> raw = stackalloc double[size];
        for (var i = 0; i < length; i++)
        {
            var center = (start + i + 0.5) * scale;
            // (int) truncates toward zero exactly like the C cast Pillow uses to "round".
            var min = Math.Max((int)(center - support + 0.5), 0);
            var max = Math.Min((int)(center + support + 0.5), inSize) - min;
            var total = 0.0;
            for (var x = 0; x < max; x++)
            {
                raw[x] = Triangle((x + min - center + 0.5) * inverse);
                total += raw[x];
            }

            for (var x = 0; x < max; x++)
            {
                var normalised = total != 0.0 ? raw[x] / total : raw[x];
                weights[(i * size) + x] = ToFixedPoint(normalised);
            }

            first[i] = min;
            count[i] = max;
        }

        return new ResampleKernel(size, first, count, weights);
    }

    /// <summary>Rounds the accumulated sum (which starts at one half) to a byte, as Pillow's <c>clip8</c>.</summary>
    internal static byte Clip8(int sum) => (byte)Math.Clamp(sum >> PrecisionBits, 0, 255);

    private static double Triangle(double x)
    {
        x = Math.Abs(x);
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    private static int ToFixedPoint(double weight) =>
        weight < 0 ? (int)(-0.5 + (weight * (1 << PrecisionBits))) : (int)(0.5 + (weight * (1 << PrecisionBits)));
}
