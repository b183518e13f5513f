using Dla.Modeling.Images;

namespace Dla.Modeling.Tests.Images;

public sealed class ResampleKernelTests
{
    [Theory]
    [InlineData(1000, 37, 2, 32)]
    [InlineData(750, 36, 0, 32)]
    [InlineData(31, 70, 5, 58)]
    public void A_cached_kernel_is_shared_per_geometry_and_equals_one_computed_afresh(int inSize, int outSize, int start, int length)
    {
        var first = ResampleKernel.Bilinear(inSize, outSize, start, length);
        var again = ResampleKernel.Bilinear(inSize, outSize, start, length);
        var fresh = ResampleKernel.Compute(inSize, outSize, start, length);

        Assert.Same(first, again);
        Assert.Equal(fresh.Size, first.Size);
        Assert.Equal(fresh.First, first.First);
        Assert.Equal(fresh.Count, first.Count);
        Assert.Equal(fresh.Weights, first.Weights);
    }

    [Fact]
    public void Another_window_of_the_same_resize_gets_its_own_kernel()
    {
        var left = ResampleKernel.Bilinear(1000, 37, 0, 32);
        var shifted = ResampleKernel.Bilinear(1000, 37, 2, 32);

        Assert.NotSame(left, shifted);
        Assert.NotEqual(left.First, shifted.First);
    }

    [Fact]
    public void A_dataset_of_ever_new_sizes_keeps_the_cache_bounded()
    {
        for (var size = 5000; size < 5000 + (3 * ResampleKernel.CacheCapacity); size++)
        {
            var kernel = ResampleKernel.Bilinear(size, 37, 0, 32);
            Assert.Equal(ResampleKernel.Compute(size, 37, 0, 32).Weights, kernel.Weights);
        }

        // Other tests may add geometries at the same time; each can overshoot the count by the kernels added during a reset.
        Assert.InRange(ResampleKernel.CachedGeometries, 0, ResampleKernel.CacheCapacity + Environment.ProcessorCount + 8);
    }
}
