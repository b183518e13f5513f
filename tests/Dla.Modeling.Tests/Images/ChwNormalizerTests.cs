using Dla.Modeling.Images;

namespace Dla.Modeling.Tests.Images;

public sealed class ChwNormalizerTests
{
    private static readonly PreprocessConfig Config = PreprocessConfig.ImageNetDefault;

    [Fact]
    public void Pixels_become_planar_float32_normalised_by_mean_and_std()
    {
        var normalizer = new ChwNormalizer(Config.Mean, Config.Std);
        byte[] rgb = [0, 128, 255, 10, 20, 30];
        var tensor = new float[3 * 2];

        normalizer.Write(rgb, new PixelWindow(0, 0, 2, 1), 2, 1, tensor);

        float Normalised(byte v, int c) => ((v / 255f) - Config.Mean[c]) / Config.Std[c];
        Assert.Equal([Normalised(0, 0), Normalised(10, 0), Normalised(128, 1), Normalised(20, 1), Normalised(255, 2), Normalised(30, 2)], tensor);
    }

    [Fact]
    public void Area_outside_the_window_is_torchvision_zero_padding()
    {
        var normalizer = new ChwNormalizer(Config.Mean, Config.Std);
        var tensor = new float[3 * 3 * 3];

        normalizer.Write([255, 255, 255], new PixelWindow(1, 1, 1, 1), 3, 3, tensor);

        for (var c = 0; c < 3; c++)
        {
            var plane = tensor.AsSpan(c * 9, 9).ToArray();
            Assert.Equal((1f - Config.Mean[c]) / Config.Std[c], plane[4]);
            Assert.All(plane.Where((_, i) => i != 4), v => Assert.Equal(-Config.Mean[c] / Config.Std[c], v));
        }
    }
}
