using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Dla.Modeling.Images;

/// <summary>
/// PIL's <c>Image.resize(size, BILINEAR)</c> for 8-bit RGB (Pillow's <c>ImagingResample</c>):
/// a horizontal pass, then a vertical pass, each rounding to 8 bits, each skipped when that
/// dimension does not change. Only the window that the centre crop keeps is computed; every
/// output pixel depends on its own weights alone, so the window is bit-identical to cropping
/// the full resize.
/// <para>Both passes run the same integer arithmetic as Pillow, four channels or eight bytes per vector
/// operation (the sums are exact integers, so the order of the lanes cannot change a result): bit-identical to
/// the scalar loops, which remain for the sources the vectors do not cover.</para>
/// </summary>
internal static class PillowResize
{
    private const int Channels = 3;
    private const int Half = 1 << (ResampleKernel.PrecisionBits - 1);

    /// <summary>
    /// Resizes the <paramref name="width"/> × <paramref name="height"/> source (<paramref name="bytesPerPixel"/>
    /// bytes per pixel, RGB first) to <paramref name="outWidth"/> × <paramref name="outHeight"/> and writes the
    /// window's pixels, packed RGB, into <paramref name="destination"/>.
    /// </summary>
    public static void ResizeWindow(
        ReadOnlySpan<byte> source, int width, int height, int bytesPerPixel,
        int outWidth, int outHeight, PixelWindow window, Span<byte> destination)
    {
        if (window.Width <= 0 || window.Height <= 0)
            return;

        var vertical = outHeight != height ? ResampleKernel.Bilinear(height, outHeight, window.Top, window.Height) : null;
        // Pillow likewise runs the horizontal pass only over the rows the vertical pass reads.
        var rowFirst = vertical?.First[0] ?? window.Top;
        var rowEnd = vertical is null ? window.Top + window.Height : vertical.First[^1] + vertical.Count[^1];
        var rowBytes = window.Width * Channels;

        var rented = vertical is null ? null : ArrayPool<byte>.Shared.Rent((rowEnd - rowFirst) * rowBytes);
        var intermediate = rented is null ? destination : rented.AsSpan(0, (rowEnd - rowFirst) * rowBytes);
        try
        {
            var sourceRows = source[(rowFirst * width * bytesPerPixel)..];
            if (outWidth != width)
                Horizontal(sourceRows, width, bytesPerPixel, ResampleKernel.Bilinear(width, outWidth, window.Left, window.Width), rowEnd - rowFirst, intermediate);
            else
                CopyColumns(sourceRows, width, bytesPerPixel, window.Left, window.Width, rowEnd - rowFirst, intermediate);

            if (vertical is not null)
                Vertical(intermediate, rowBytes, rowFirst, vertical, destination);
        }
        finally
        {
            if (rented is not null)
                ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void Horizontal(ReadOnlySpan<byte> source, int width, int bytesPerPixel, ResampleKernel kernel, int rows, Span<byte> destination)
    {
        if (bytesPerPixel == 4 && Vector128.IsHardwareAccelerated)
        {
            HorizontalRgba(source, width, kernel, rows, destination);
            return;
        }
        var stride = width * bytesPerPixel;
        var outputs = kernel.First.Length;
        for (var row = 0; row < rows; row++)
        {
            var input = source.Slice(row * stride, stride);
            var output = destination.Slice(row * outputs * Channels, outputs * Channels);
            for (var i = 0; i < outputs; i++)
            {
                var weights = kernel.Weights.AsSpan(i * kernel.Size, kernel.Count[i]);
                var pixel = input[(kernel.First[i] * bytesPerPixel)..];
                int r = Half, g = Half, b = Half;
                for (var x = 0; x < weights.Length; x++)
                {
                    var offset = x * bytesPerPixel;
                    r += pixel[offset] * weights[x];
                    g += pixel[offset + 1] * weights[x];
                    b += pixel[offset + 2] * weights[x];
                }

                output[i * Channels] = ResampleKernel.Clip8(r);
                output[(i * Channels) + 1] = ResampleKernel.Clip8(g);
                output[(i * Channels) + 2] = ResampleKernel.Clip8(b);
            }
        }
    }

    /// <summary>The horizontal pass over 4-byte pixels: one pixel's four channels per vector multiply-add.</summary>
    private static void HorizontalRgba(ReadOnlySpan<byte> source, int width, ResampleKernel kernel, int rows, Span<byte> destination)
    {
        var stride = width * 4;
        var outputs = kernel.First.Length;
        // Every read below stays inside the rows the kernel covers: First + Count never passes the width.
        _ = source[(rows * stride) - 1];
        _ = destination[(rows * outputs * Channels) - 1];
        ref var sourceStart = ref MemoryMarshal.GetReference(source);
        ref var weightStart = ref MemoryMarshal.GetArrayDataReference(kernel.Weights);
        for (var row = 0; row < rows; row++)
        {
            ref var input = ref Unsafe.Add(ref sourceStart, row * stride);
            var output = destination.Slice(row * outputs * Channels, outputs * Channels);
            for (var i = 0; i < outputs; i++)
            {
                ref var pixel = ref Unsafe.Add(ref input, kernel.First[i] * 4);
                ref var weight = ref Unsafe.Add(ref weightStart, i * kernel.Size);
                var sum = Vector128.Create(Half);
                for (int x = 0, count = kernel.Count[i]; x < count; x++)
                {
                    var rgba = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref pixel, x * 4))).AsByte();
                    var channels = Vector128.WidenLower(Vector128.WidenLower(rgba)).AsInt32();
                    sum += channels * Vector128.Create(Unsafe.Add(ref weight, x));
                }

                output[i * Channels] = ResampleKernel.Clip8(sum.GetElement(0));
                output[(i * Channels) + 1] = ResampleKernel.Clip8(sum.GetElement(1));
                output[(i * Channels) + 2] = ResampleKernel.Clip8(sum.GetElement(2));
            }
        }
    }

    private static void Vertical(ReadOnlySpan<byte> source, int rowBytes, int rowFirst, ResampleKernel kernel, Span<byte> destination)
    {
        var sums = ArrayPool<int>.Shared.Rent(rowBytes);
        try
        {
            var sum = sums.AsSpan(0, rowBytes);
            for (var j = 0; j < kernel.First.Length; j++)
            {
                sum.Fill(Half);
                var weights = kernel.Weights.AsSpan(j * kernel.Size, kernel.Count[j]);
                for (var y = 0; y < weights.Length; y++)
                    MultiplyAdd(source.Slice((kernel.First[j] - rowFirst + y) * rowBytes, rowBytes), weights[y], sum);

                var output = destination.Slice(j * rowBytes, rowBytes);
                for (var k = 0; k < rowBytes; k++)
                    output[k] = ResampleKernel.Clip8(sum[k]);
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(sums);
        }
    }

    /// <summary><c>sum[k] += input[k] * weight</c> for every k, eight bytes per step where vectors are accelerated.</summary>
    private static void MultiplyAdd(ReadOnlySpan<byte> input, int weight, Span<int> sum)
    {
        var k = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var weights = Vector128.Create(weight);
            ref var inputStart = ref MemoryMarshal.GetReference(input);
            ref var sumStart = ref MemoryMarshal.GetReference(sum);
            for (; k + 8 <= input.Length; k += 8)
            {
                var bytes = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref inputStart, k))).AsByte();
                var shorts = Vector128.WidenLower(bytes);
                ref var lower = ref Unsafe.Add(ref sumStart, k);
                ref var upper = ref Unsafe.Add(ref sumStart, k + 4);
                Vector128.StoreUnsafe(Vector128.LoadUnsafe(ref lower) + (Vector128.WidenLower(shorts).AsInt32() * weights), ref lower);
                Vector128.StoreUnsafe(Vector128.LoadUnsafe(ref upper) + (Vector128.WidenUpper(shorts).AsInt32() * weights), ref upper);
            }
        }
        for (; k < input.Length; k++)
            sum[k] += input[k] * weight;
    }

    private static void CopyColumns(ReadOnlySpan<byte> source, int width, int bytesPerPixel, int left, int count, int rows, Span<byte> destination)
    {
        var stride = width * bytesPerPixel;
        for (var row = 0; row < rows; row++)
        {
            var input = source.Slice((row * stride) + (left * bytesPerPixel));
            var output = destination.Slice(row * count * Channels, count * Channels);
            for (var i = 0; i < count; i++)
                input.Slice(i * bytesPerPixel, Channels).CopyTo(output.Slice(i * Channels, Channels));
        }
    }
}
