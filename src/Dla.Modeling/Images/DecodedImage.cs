using System.Buffers;

namespace Dla.Modeling.Images;

/// <summary>
/// Decoded 8-bit pixels, four bytes per pixel in R, G, B, A order with the alpha byte ignored,
/// rows packed without padding. The buffer is pooled: dispose the image to return it.
/// </summary>
internal sealed class DecodedImage : IDisposable
{
    internal const int BytesPerPixel = 4;

    private byte[]? _pixels;

    private DecodedImage(int width, int height, int sourceWidth, int sourceHeight, byte[] pixels)
    {
        Width = width;
        Height = height;
        SourceWidth = sourceWidth;
        SourceHeight = sourceHeight;
        _pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Width declared by the file; larger than <see cref="Width"/> when a JPEG was DCT-scaled.</summary>
    public int SourceWidth { get; }

    /// <summary>Height declared by the file.</summary>
    public int SourceHeight { get; }

    public int Stride => Width * BytesPerPixel;

    /// <summary>The pixel bytes; longer than needed when the pool hands out a bigger array.</summary>
    public byte[] Buffer => _pixels ?? throw new ObjectDisposedException(nameof(DecodedImage));

    public static DecodedImage Rent(int width, int height, int sourceWidth, int sourceHeight) =>
        new(width, height, sourceWidth, sourceHeight, ArrayPool<byte>.Shared.Rent(checked(width * height * BytesPerPixel)));

    public void Dispose()
    {
        if (_pixels is { } pixels)
        {
            _pixels = null;
            ArrayPool<byte>.Shared.Return(pixels);
        }
    }
}
