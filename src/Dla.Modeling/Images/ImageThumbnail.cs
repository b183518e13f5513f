using SkiaSharp;

namespace Dla.Modeling.Images;

/// <summary>
/// Small previews of dataset images for people (the scheduler's console), decoded with the same codecs and
/// limits as inference, so a file a worker refused is refused here for the same reason.
/// </summary>
public static class ImageThumbnail
{
    /// <summary>JPEG quality of thumbnails: small files, no visible blocking at preview size.</summary>
    public const int JpegQuality = 80;

    /// <summary>
    /// A JPEG whose longer side is at most <paramref name="maxSide"/> pixels (never enlarged), aspect ratio kept.
    /// A JPEG is first scaled down in the DCT domain (fast decode mode) so a large photo never decodes at full size.
    /// </summary>
    /// <param name="encoded">The image file's bytes.</param>
    /// <param name="maxSide">Longest side of the result in pixels, at least 1.</param>
    /// <param name="limits">Pixel and byte limits (the mode is ignored: thumbnails always decode fast).</param>
    /// <exception cref="ImageDecodeException">The bytes are not a decodable image; <see cref="ImageDecodeException.Kind"/> says why.</exception>
    public static byte[] CreateJpeg(ReadOnlySpan<byte> encoded, int maxSide, ImageDecodeOptions? limits = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 1);
        var options = (limits ?? ImageDecodeOptions.Default) with { Mode = DecodeMode.Fast };
        using var decoded = ImageDecoder.Decode(encoded, options, (width, height) => Fit(width, height, maxSide));
        var (targetWidth, targetHeight) = Fit(decoded.Width, decoded.Height, maxSide);
        // The decoder leaves alpha un-premultiplied and inference ignores it; so does the preview (Opaque).
        var sourceInfo = new SKImageInfo(decoded.Width, decoded.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var source = new SKBitmap();
        unsafe
        {
            fixed (byte* pixels = decoded.Buffer)
            {
                source.InstallPixels(sourceInfo, (IntPtr)pixels, decoded.Stride);
                using var target = new SKBitmap(new SKImageInfo(targetWidth, targetHeight, SKColorType.Rgba8888, SKAlphaType.Opaque));
                source.ScalePixels(target, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
                using var image = SKImage.FromBitmap(target);
                using var data = image.Encode(SKEncodedImageFormat.Jpeg, JpegQuality);
                return data.ToArray();
            }
        }
    }

    /// <summary>The size that fits <paramref name="maxSide"/>, rounded, at least one pixel per side; never larger than the source.</summary>
    private static (int Width, int Height) Fit(int width, int height, int maxSide)
    {
        var scale = Math.Min(1.0, (double)maxSide / Math.Max(width, height));
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }
}
