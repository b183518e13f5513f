using Dla.Testing;
using SkiaSharp;

namespace Dla.Modeling.Tests.Images;

public sealed class OtherFormatDecodingTests
{
    [Fact]
    public void Cmyk_jpeg_converts_to_rgb_like_pil()
    {
        byte[] stored = [200, 100, 255, 180];

        var (width, height, rgb) = Decoded.Rgb(TestCmykJpeg.Encode(stored));

        Assert.Equal((8, 8), (width, height));
        // PIL un-inverts Adobe CMYK, then cmyk2rgb: r = (255 - k) - c × (255 - k) / 255, rounded,
        // which in the stored (inverted) samples is round(c' × k' / 255).
        var expected = stored[..3].Select(s => (byte)Math.Round(s * stored[3] / 255.0)).ToArray();
        Assert.All(rgb.Chunk(3), pixel => Assert.Equal(expected, pixel));
    }

    [Fact]
    public void Exif_orientation_is_not_applied()
    {
        var plain = EncodeJpeg(16, 8);
        var rotated = WithExifOrientation(plain, 6);

        var (width, height, rgb) = Decoded.Rgb(rotated);

        Assert.Equal((16, 8), (width, height));
        Assert.Equal(Decoded.Rgb(plain).Rgb, rgb);
    }

    [Fact]
    public void Lossless_webp_decodes_to_its_pixels()
    {
        using var bitmap = Gradient(5, 3);
        using var data = bitmap.PeekPixels()!.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100));
        Assert.NotNull(data);

        var (_, _, rgb) = Decoded.Rgb(data.ToArray());

        Assert.Equal(RgbOf(bitmap), rgb);
    }

    [Fact]
    public void Bmp_decodes_bottom_up_rows_in_order()
    {
        // 2×2, 24-bit BI_RGB: rows stored bottom-up, BGR, padded to 4 bytes.
        byte[] pixels = [3, 2, 1, 6, 5, 4, 0, 0, 30, 20, 10, 60, 50, 40, 0, 0];
        byte[] header = [(byte)'B', (byte)'M', 70, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0,
            40, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 24, 0, 0, 0, 0, 0, 16, 0, 0, 0,
            0x13, 0x0B, 0, 0, 0x13, 0x0B, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

        var (_, _, rgb) = Decoded.Rgb([.. header, .. pixels]);

        Assert.Equal([10, 20, 30, 40, 50, 60, 1, 2, 3, 4, 5, 6], rgb);
    }

    internal static SKBitmap Gradient(int width, int height)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 40), (byte)(y * 70), (byte)(x * y * 9)));
        }

        return bitmap;
    }

    internal static byte[] EncodeJpeg(int width, int height)
    {
        using var bitmap = Gradient(width, height);
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 95);
        return data.ToArray();
    }

    private static byte[] RgbOf(SKBitmap bitmap)
    {
        var rgb = new List<byte>();
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var color = bitmap.GetPixel(x, y);
                rgb.AddRange([color.Red, color.Green, color.Blue]);
            }
        }

        return [.. rgb];
    }

    /// <summary>Inserts an APP1 Exif segment holding only an Orientation tag right after SOI.</summary>
    private static byte[] WithExifOrientation(byte[] jpeg, byte orientation)
    {
        byte[] exif = [.. "Exif\0\0"u8, .. "MM\0*"u8, 0, 0, 0, 8, 0, 1,
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
        var length = exif.Length + 2;
        return [.. jpeg[..2], 0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. exif, .. jpeg[2..]];
    }
}
