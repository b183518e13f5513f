using Dla.Modeling.Images;

namespace Dla.Modeling.Tests.Images;

/// <summary>
/// The system's TurboJPEG (SIMD) must give the very pixels of Skia's libjpeg-turbo (plain C), which the golden
/// tests prove equal to Pillow's: on every golden JPEG (colour, grey, tall), whole and DCT-scaled, and for a
/// truncated file. Runs where the library is installed (<c>apt-get install libturbojpeg0</c>; scripts/test.sh does).
/// </summary>
public sealed class TurboJpegDecoderTests
{
    public static TheoryData<string> Jpegs() => new(
        "baboon.jpg", "building.jpg", "butterfly.jpg", "fruits.jpg", "home.jpg", "messi5.jpg", "squirrel_cls.jpg", "synthetic-gray.jpg", "synthetic-tall-60x900.jpg");

    [Theory]
    [MemberData(nameof(Jpegs))]
    public void Every_golden_jpeg_decodes_to_the_same_pixels_as_Skia_whole_and_dct_scaled(string name)
    {
        RequireLibrary();
        var encoded = GoldenImages.Require().Bytes(name);
        foreach (var mode in new[] { DecodeMode.Exact, DecodeMode.Fast })
        {
            var options = ImageDecodeOptions.Default with { Mode = mode };
            // The fast mode's target as preprocessing asks for it: the short side down to 256.
            Func<int, int, (int, int)> target = (w, h) => w < h ? (256, (int)((long)h * 256 / w)) : ((int)((long)w * 256 / h), 256);
            using var turbo = TurboJpegDecoder.TryDecode(encoded, options, target);
            using var skia = SkiaImageDecoder.Decode(encoded, options, target);

            Assert.NotNull(turbo);
            Assert.Equal((skia.Width, skia.Height, skia.SourceWidth, skia.SourceHeight), (turbo.Width, turbo.Height, turbo.SourceWidth, turbo.SourceHeight));
            Assert.True(Rgb(skia).SequenceEqual(Rgb(turbo)), $"{name} ({mode}): the pixels differ from Skia's");
        }
    }

    [Fact]
    public void A_truncated_jpeg_is_a_truncated_error()
    {
        RequireLibrary();
        var encoded = GoldenImages.Require().Bytes("bad-truncated.jpg");

        var error = Assert.Throws<ImageDecodeException>(() => TurboJpegDecoder.TryDecode(encoded, ImageDecodeOptions.Default, (w, h) => (w, h)));

        Assert.Equal(ImageErrorKind.Truncated, error.Kind);
    }

    private static void RequireLibrary()
    {
        if (!TurboJpegDecoder.Available)
            Assert.Skip($"The system's TurboJPEG is absent (apt-get install libturbojpeg0) or {TurboJpegLibrary.DecoderVariable}=skia: JPEGs decode with Skia here.");
    }

    /// <summary>The R, G and B bytes of every pixel (the fourth byte is unused).</summary>
    private static byte[] Rgb(DecodedImage image) =>
        Enumerable.Range(0, image.Width * image.Height).SelectMany(i => image.Buffer.AsSpan(i * DecodedImage.BytesPerPixel, 3).ToArray()).ToArray();
}
