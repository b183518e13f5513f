namespace Dla.Modeling.Images;

/// <summary>
/// Turns encoded bytes into <see cref="DecodedImage"/> pixels: JPEGs through <see cref="TurboJpegDecoder"/> when the
/// system's TurboJPEG is present, everything else (and every JPEG without it) through <see cref="SkiaImageDecoder"/>.
/// Both give the pixels of PIL's <c>Image.open(f).convert('RGB')</c>; the limits are checked here, once.
/// </summary>
internal static class ImageDecoder
{
    /// <summary>The decoder JPEGs go through in this process, for logs and benchmarks.</summary>
    public static string JpegDecoderName => TurboJpegDecoder.Available ? "TurboJPEG (system libjpeg-turbo, SIMD)" : "Skia (bundled libjpeg-turbo, no SIMD)";

    /// <summary>
    /// Decodes <paramref name="encoded"/>. With <see cref="DecodeMode.Fast"/>, a JPEG is scaled down in the DCT domain
    /// as far as keeps both sides at least the size <paramref name="minimumSize"/> returns for the declared size.
    /// </summary>
    public static DecodedImage Decode(ReadOnlySpan<byte> encoded, ImageDecodeOptions options, Func<int, int, (int Width, int Height)> minimumSize)
    {
        if (encoded.IsEmpty)
            throw new ImageDecodeException(ImageErrorKind.Unreadable, "The image is empty.");
        if (encoded.Length > options.MaxBytes)
            throw new ImageDecodeException(ImageErrorKind.TooLarge,
                $"The image is {encoded.Length} bytes, over the limit of {options.MaxBytes}.");
        return TurboJpegDecoder.TryDecode(encoded, options, minimumSize) ?? SkiaImageDecoder.Decode(encoded, options, minimumSize);
    }

    /// <summary>Refuses, from the header alone, an image too large to decode, before a single pixel buffer exists.</summary>
    public static void CheckPixels(int width, int height, ImageDecodeOptions options)
    {
        var pixels = (long)width * height;
        if (pixels > options.MaxPixels || pixels * DecodedImage.BytesPerPixel > Array.MaxLength)
            throw new ImageDecodeException(ImageErrorKind.TooManyPixels,
                $"The image declares {width}×{height} pixels, over the limit of {options.MaxPixels}.");
    }
}
