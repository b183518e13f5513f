using Dla.Modeling.Images;

namespace Dla.Modeling.Tests.Images;

public sealed class EvalGeometryTests
{
    [Theory]
    [InlineData(224, 0)]
    [InlineData(225, 0)] // round(0.5) = 0: Python rounds half to even
    [InlineData(226, 1)]
    [InlineData(227, 2)] // round(1.5) = 2
    [InlineData(229, 2)] // round(2.5) = 2
    [InlineData(231, 4)] // round(3.5) = 4
    [InlineData(223, 0)] // pad (224 - 223) // 2 = 0 before, 1 after
    [InlineData(221, -1)] // pad 1 before, 2 after
    public void Centre_crop_offset_rounds_like_torchvision(int size, int expected)
    {
        Assert.Equal(expected, EvalGeometry.CropOffset(size, 224));
    }

    [Theory]
    [InlineData(493, 356, 354, 256)]
    [InlineData(356, 493, 256, 354)]
    [InlineData(512, 512, 256, 256)]
    [InlineData(60, 900, 256, 3840)]
    [InlineData(31, 17, 466, 256)]
    public void Shorter_side_becomes_256_and_the_longer_side_is_truncated(int width, int height, int resizedWidth, int resizedHeight)
    {
        var geometry = EvalGeometry.For(width, height, PreprocessConfig.ImageNetDefault);

        Assert.Equal((resizedWidth, resizedHeight), (geometry.ResizedWidth, geometry.ResizedHeight));
    }

    [Fact]
    public void Non_square_input_keeps_the_aspect_ratio_like_timm_resize_keep_ratio()
    {
        // scale size (floor(224 / 0.875), floor(320 / 0.875)) = (256, 365); ratio = min(600/256, 800/365).
        var config = PreprocessConfig.ImageNetDefault.WithInputSize(224, 320);

        var geometry = EvalGeometry.For(800, 600, config);

        Assert.Equal((365, 274), (geometry.ResizedWidth, geometry.ResizedHeight));
    }
}
