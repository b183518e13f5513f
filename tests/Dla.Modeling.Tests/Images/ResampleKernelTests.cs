using Dla.Modeling.Images;

namespace Dla.Modeling.Tests.Images;

/// <summary>Kernels are shared per geometry; each test uses a cache of its own, so no other test's kernels can reset it.</summary>
public sealed class ResampleKernelTests
{
    [Theory]
    [InlineData(1000, 37, 2, 32)]
    [InlineData(750, 36, 0, 32)]
    [InlineData(31, 70, 5, 58)]
    public void A_cached_kernel_is_shared_per_geometry_and_equals_one_computed_afresh(int inSize, int outSize, int start, int length)
    {
        var cache = new ResampleKernelCache(256);

        var first = cache.Get(inSize, outSize, start, length);
        var again = cache.Get(inSize, outSize, start, length);
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
        var cache = new ResampleKernelCache(256);

        var left = cache.Get(1000, 37, 0, 32);
        var shifted = cache.Get(1000, 37, 2, 32);

        Assert.NotSame(left, shifted);
        Assert.NotEqual(left.First, shifted.First);
    }

    [Fact]
    public void A_dataset_of_ever_new_sizes_keeps_the_cache_bounded()
    {
        const int capacity = 16;
        var cache = new ResampleKernelCache(capacity);

        for (var size = 5000; size < 5000 + (3 * capacity); size++)
        {
            var kernel = cache.Get(size, 37, 0, 32);
            Assert.Equal(ResampleKernel.Compute(size, 37, 0, 32).Weights, kernel.Weights);
            Assert.InRange(cache.Count, 0, capacity);
        }
    }

    [Fact]
    public void The_resize_asks_the_shared_cache()
    {
        Assert.Same(ResampleKernelCache.Shared.Get(997, 41, 3, 32), ResampleKernel.Bilinear(997, 41, 3, 32));
    }
}
