using SkiaSharp;

namespace Dla.Modeling.Images;

/// <summary>
/// Decodes JPEG, PNG, GIF, BMP and WebP with Skia's codecs (libjpeg-turbo, libpng, libwebp)
/// into the pixels PIL's <c>Image.open(f).convert('RGB')</c> produces: no colour management,
/// no EXIF rotation, alpha left un-premultiplied so it can be dropped rather than composited.
/// </summary>
internal static class SkiaImageDecoder
{
    /// <summary>
    /// Decodes <paramref name="encoded"/> (not empty, within the byte limit: <see cref="ImageDecoder"/> checks). With <see cref="DecodeMode.Fast"/>, a JPEG is scaled
    /// down in the DCT domain as far as keeps both sides at least the size that
    /// <paramref name="minimumSize"/> returns for the declared width and height.
    /// </summary>
    public static DecodedImage Decode(ReadOnlySpan<byte> encoded, ImageDecodeOptions options, Func<int, int, (int Width, int Height)> minimumSize)
    {
        using var data = SKData.CreateCopy(encoded);
        using var stream = new SKMemoryStream(data);
        using var codec = SKCodec.Create(stream, out var created) ?? throw NotOpened(created, encoded);

        var info = codec.Info;
        ImageDecoder.CheckPixels(info.Width, info.Height, options);

        var size = options.Mode == DecodeMode.Fast && codec.EncodedFormat == SKEncodedImageFormat.Jpeg
            ? DctScaledSize(codec, minimumSize(info.Width, info.Height))
            : info.Size;
        var target = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var image = DecodedImage.Rent(size.Width, size.Height, info.Width, info.Height);
        try
        {
            var result = GetPixels(codec, target, image);
            if (result != SKCodecResult.Success)
                throw Failure(result);
            return image;
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    private static unsafe SKCodecResult GetPixels(SKCodec codec, SKImageInfo target, DecodedImage image)
    {
        fixed (byte* pixels = image.Buffer)
            return codec.GetPixels(target, (IntPtr)pixels, image.Stride, new SKCodecOptions(SKZeroInitialized.No));
    }

    /// <summary>
    /// The smallest n/8 scale (libjpeg-turbo's <c>scale_num</c>/<c>scale_denom</c>) whose output
    /// still covers the resize target on both sides, so the final resize only ever shrinks.
    /// </summary>
    private static SKSizeI DctScaledSize(SKCodec codec, (int Width, int Height) minimum)
    {
        for (var eighths = 1; eighths < 8; eighths++)
        {
            var scaled = codec.GetScaledDimensions(eighths / 8f);
            if (scaled.Width >= minimum.Width && scaled.Height >= minimum.Height)
                return scaled;
        }

        return codec.Info.Size;
    }

    /// <summary>Skia answers "Unimplemented" for bytes no codec claims; PIL calls those unidentifiable.</summary>
    private static ImageDecodeException NotOpened(SKCodecResult result, ReadOnlySpan<byte> encoded)
    {
        if (UnsupportedSignatures.Match(encoded) is { } format)
            return new ImageDecodeException(ImageErrorKind.UnsupportedFormat, $"{format} images are not supported.");
        return result == SKCodecResult.IncompleteInput
            ? new ImageDecodeException(ImageErrorKind.Truncated, "The image ends inside its header.")
            : new ImageDecodeException(ImageErrorKind.Unreadable, $"The bytes are not an image in a supported format ({result}).");
    }

    private static ImageDecodeException Failure(SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput =>
            new ImageDecodeException(ImageErrorKind.Truncated, $"The image data is truncated or corrupt ({result})."),
        SKCodecResult.Unimplemented or SKCodecResult.InvalidConversion or SKCodecResult.InvalidScale =>
            new ImageDecodeException(ImageErrorKind.UnsupportedFormat, $"This kind of image is not supported ({result})."),
        _ => new ImageDecodeException(ImageErrorKind.Unreadable, $"The image data could not be decoded ({result})."),
    };
}
