using Dla.Modeling.Images;

namespace Dla.Modeling.Tests.Images;

public sealed class PillowResizeTests
{
    [Fact]
    public void Halving_a_stripe_pattern_gives_pillows_fixed_point_values()
    {
        // Worked through Resample.c by hand: weights (3/7, 3/7, 1/7) and (1/7, 3/7, 3/7) in 2^22
        // fixed point give 109.78 -> 109 and 146.2 -> 146 for the row 0, 255, 0, 255.
        byte[] source = [0, 0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255];
        var output = new byte[6];

        PillowResize.ResizeWindow(source, 4, 1, 3, 2, 1, new PixelWindow(0, 0, 2, 1), output);

        Assert.Equal([109, 109, 109, 146, 146, 146], output);
    }

    [Fact]
    public void Unchanged_size_copies_pixels_and_drops_the_fourth_byte()
    {
        byte[] source = [1, 2, 3, 99, 4, 5, 6, 99, 7, 8, 9, 99, 10, 11, 12, 99];
        var output = new byte[12];

        PillowResize.ResizeWindow(source, 2, 2, 4, 2, 2, new PixelWindow(0, 0, 2, 2), output);

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], output);
    }

    [Theory]
    [InlineData(37, 23, 16, 11)]
    [InlineData(37, 23, 80, 50)]
    [InlineData(37, 23, 37, 50)]
    [InlineData(37, 23, 16, 23)]
    public void Uniform_images_stay_uniform(int width, int height, int outWidth, int outHeight)
    {
        var source = Enumerable.Repeat(new byte[] { 17, 130, 250, 0 }, width * height).SelectMany(p => p).ToArray();
        var output = new byte[outWidth * outHeight * 3];

        PillowResize.ResizeWindow(source, width, height, 4, outWidth, outHeight, new PixelWindow(0, 0, outWidth, outHeight), output);

        Assert.All(output.Chunk(3), pixel => Assert.Equal([17, 130, 250], pixel));
    }

    [Theory]
    [InlineData(97, 61, 40, 25)]
    [InlineData(31, 17, 70, 40)]
    public void A_window_equals_the_same_region_of_the_full_resize(int width, int height, int outWidth, int outHeight)
    {
        var random = new Random(7);
        var source = new byte[width * height * 4];
        random.NextBytes(source);
        var full = new byte[outWidth * outHeight * 3];
        PillowResize.ResizeWindow(source, width, height, 4, outWidth, outHeight, new PixelWindow(0, 0, outWidth, outHeight), full);
        var window = new PixelWindow(5, 3, outWidth - 12, outHeight - 9);
        var part = new byte[window.Width * window.Height * 3];

        PillowResize.ResizeWindow(source, width, height, 4, outWidth, outHeight, window, part);

        for (var y = 0; y < window.Height; y++)
        {
            var expected = full.AsSpan((((window.Top + y) * outWidth) + window.Left) * 3, window.Width * 3);
            Assert.Equal(expected.ToArray(), part.AsSpan(y * window.Width * 3, window.Width * 3).ToArray());
        }
    }
}
