using System.Runtime.InteropServices;

namespace Dla.Modeling.Images;

/// <summary>
/// Decodes JPEGs with the system's TurboJPEG (<see cref="TurboJpegLibrary"/>, SIMD) into the same pixels as Skia's
/// decoder: libjpeg's defaults, as Pillow uses them (accurate integer inverse DCT, fancy upsampling), four bytes per
/// pixel. CMYK and YCCK JPEGs, and anything whose header TurboJPEG cannot read, are left to <see cref="SkiaImageDecoder"/>
/// (its CMYK conversion is the one that matches Pillow, and its errors are the ones users see).
/// </summary>
internal static unsafe class TurboJpegDecoder
{
    // Colour spaces (TJCS_*) decoded here: RGB, YCbCr and greyscale.
    private const int ColorspaceRgb = 0, ColorspaceYCbCr = 1, ColorspaceGray = 2;

    /// <summary>One decompressor per thread: a handle is not thread-safe, and creating one per image costs an allocation of libjpeg's state.</summary>
    [ThreadStatic]
    private static nint t_handle;

    /// <summary>True when JPEGs are decoded here (the library is present and not turned off).</summary>
    public static bool Available => TurboJpegLibrary.Library is not null;

    /// <summary>
    /// The decoded image, or null when this decoder does not take it (not a JPEG, a CMYK JPEG, no library). With
    /// <see cref="DecodeMode.Fast"/>, scales down in the DCT domain by the smallest n/8 whose output still covers
    /// <paramref name="minimumSize"/>, as <see cref="SkiaImageDecoder"/> does.
    /// </summary>
    public static DecodedImage? TryDecode(ReadOnlySpan<byte> encoded, ImageDecodeOptions options, Func<int, int, (int Width, int Height)> minimumSize)
    {
        if (TurboJpegLibrary.Library is not { } library || !IsJpeg(encoded))
            return null;
        var handle = Handle(library);
        if (handle == 0)
            return null;
        fixed (byte* jpeg = encoded)
        {
            var length = new CULong((nuint)encoded.Length);
            int width, height, subsampling, colorspace;
            if (library.DecompressHeader3(handle, jpeg, length, &width, &height, &subsampling, &colorspace) != 0
                || colorspace is not (ColorspaceRgb or ColorspaceYCbCr or ColorspaceGray))
                return null;
            ImageDecoder.CheckPixels(width, height, options);
            var (outputWidth, outputHeight) = options.Mode == DecodeMode.Fast ? DctScaledSize(width, height, minimumSize(width, height)) : (width, height);
            var image = DecodedImage.Rent(outputWidth, outputHeight, width, height);
            try
            {
                fixed (byte* pixels = image.Buffer)
                {
                    if (library.Decompress2(handle, jpeg, length, pixels, outputWidth, image.Stride, outputHeight, TurboJpegLibrary.PixelFormatRgbx, 0) != 0)
                        ThrowUnlessHarmless(library.LastError(handle));
                }
                return image;
            }
            catch
            {
                image.Dispose();
                throw;
            }
        }
    }

    private static bool IsJpeg(ReadOnlySpan<byte> encoded) => encoded.Length >= 3 && encoded[0] == 0xFF && encoded[1] == 0xD8 && encoded[2] == 0xFF;

    private static nint Handle(TurboJpegLibrary.Functions library)
    {
        if (t_handle == 0)
            t_handle = library.InitDecompress();
        return t_handle;
    }

    /// <summary>
    /// A missing end is a truncated image, as Skia (incomplete input) and Pillow ("image file is truncated") say; other
    /// warnings (extraneous bytes before a marker) leave a whole image, which Skia and Pillow both accept.
    /// </summary>
    private static void ThrowUnlessHarmless((bool Warning, string Message) error)
    {
        if (error.Warning && !error.Message.StartsWith("Premature end of JPEG file", StringComparison.Ordinal))
            return;
        throw new ImageDecodeException(ImageErrorKind.Truncated, $"The image data is truncated or corrupt ({error.Message}).");
    }

    /// <summary>libjpeg's scaled size, ⌈side × n / 8⌉, for the smallest n whose output covers <paramref name="minimum"/>.</summary>
    private static (int Width, int Height) DctScaledSize(int width, int height, (int Width, int Height) minimum)
    {
        for (var eighths = 1; eighths < 8; eighths++)
        {
            var scaled = ((width * eighths + 7) / 8, (height * eighths + 7) / 8);
            if (scaled.Item1 >= minimum.Width && scaled.Item2 >= minimum.Height)
                return scaled;
        }
        return (width, height);
    }
}
