using System.Buffers;

namespace Dla.Modeling.Images;

/// <summary>
/// timm's eval transform for a DLA model, from encoded bytes to the network input: decode to RGB
/// as PIL's <c>convert('RGB')</c> does, <c>Resize(floor(input / crop_pct))</c> with PIL's
/// antialiased bilinear filter, <c>CenterCrop(input)</c>, scale to [0, 1] and normalise with the
/// config's mean and std. Stateless after construction, so one instance serves parallel callers.
/// </summary>
public sealed class ImagePreprocessor
{
    private const int Channels = 3;
    private readonly ChwNormalizer _normalizer;

    /// <summary>Creates a preprocessor for <paramref name="config"/>.</summary>
    /// <exception cref="ArgumentException">The config is not a three-channel bilinear config.</exception>
    public ImagePreprocessor(PreprocessConfig config, ImageDecodeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Mean.Length != Channels || config.Std.Length != Channels)
            throw new ArgumentException("Mean and std must have one value per RGB channel.", nameof(config));
        if (!string.Equals(config.Interpolation, "bilinear", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Only bilinear interpolation is implemented, not '{config.Interpolation}'.", nameof(config));
        if (config.InputHeight <= 0 || config.InputWidth <= 0 || config.CropPct is <= 0 or > 1)
            throw new ArgumentException("Input size must be positive and crop_pct in (0, 1].", nameof(config));

        Config = config;
        Options = options ?? ImageDecodeOptions.Default;
        _normalizer = new ChwNormalizer(config.Mean, config.Std);
    }

    /// <summary>The data config every number comes from.</summary>
    public PreprocessConfig Config { get; }

    /// <summary>Which decoder reads JPEGs in this process (TurboJPEG with SIMD when the system has it, else Skia).</summary>
    public static string JpegDecoder => ImageDecoder.JpegDecoderName;

    /// <summary>Decoder limits and mode.</summary>
    public ImageDecodeOptions Options { get; }

    /// <summary>Floats per image: 3 × <c>InputHeight</c> × <c>InputWidth</c>.</summary>
    public int OutputLength => Channels * Config.InputHeight * Config.InputWidth;

    /// <summary>
    /// Decodes and transforms one image into <paramref name="destinationChw"/>, laid out as
    /// [3, InputHeight, InputWidth] float32 in RGB order (one slice of an NCHW batch).
    /// </summary>
    /// <exception cref="ImageDecodeException">The bytes are not a decodable image or exceed a limit.</exception>
    /// <exception cref="ArgumentException"><paramref name="destinationChw"/> is not <see cref="OutputLength"/> long.</exception>
    public void Preprocess(ReadOnlySpan<byte> encoded, Span<float> destinationChw)
    {
        if (destinationChw.Length != OutputLength)
            throw new ArgumentException($"The destination must hold exactly {OutputLength} floats.", nameof(destinationChw));

        using var image = ImageDecoder.Decode(encoded, Options, ResizedSize);
        var geometry = EvalGeometry.For(image.SourceWidth, image.SourceHeight, Config);
        var window = CropWindow(geometry);
        var rgb = ArrayPool<byte>.Shared.Rent(window.Width * window.Height * Channels);
        try
        {
            PillowResize.ResizeWindow(
                image.Buffer, image.Width, image.Height, DecodedImage.BytesPerPixel,
                geometry.ResizedWidth, geometry.ResizedHeight, window, rgb);
            var placed = window with { Left = window.Left - geometry.CropLeft, Top = window.Top - geometry.CropTop };
            _normalizer.Write(rgb, placed, Config.InputWidth, Config.InputHeight, destinationChw);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rgb);
        }
    }

    /// <summary>Decodes and transforms one image into a new [3, InputHeight, InputWidth] float32 array.</summary>
    /// <exception cref="ImageDecodeException">The bytes are not a decodable image or exceed a limit.</exception>
    public float[] Preprocess(ReadOnlySpan<byte> encoded)
    {
        var tensor = new float[OutputLength];
        Preprocess(encoded, tensor);
        return tensor;
    }

    private (int Width, int Height) ResizedSize(int width, int height)
    {
        var geometry = EvalGeometry.For(width, height, Config);
        return (geometry.ResizedWidth, geometry.ResizedHeight);
    }

    /// <summary>The part of the resized image inside the crop; the rest of the crop is padding.</summary>
    private PixelWindow CropWindow(EvalGeometry geometry)
    {
        var left = Math.Max(geometry.CropLeft, 0);
        var top = Math.Max(geometry.CropTop, 0);
        var right = Math.Min(geometry.CropLeft + Config.InputWidth, geometry.ResizedWidth);
        var bottom = Math.Min(geometry.CropTop + Config.InputHeight, geometry.ResizedHeight);
        return new PixelWindow(left, top, right - left, bottom - top);
    }
}
