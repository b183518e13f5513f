using Dla.Modeling.Images;

namespace Dla.Modeling.Tests.Images;

/// <summary>Runs the decoder alone and returns what PIL's <c>convert('RGB')</c> would: packed RGB bytes.</summary>
internal static class Decoded
{
    public static (int Width, int Height, byte[] Rgb) Rgb(byte[] encoded, ImageDecodeOptions? options = null)
    {
        using var image = ImageDecoder.Decode(encoded, options ?? ImageDecodeOptions.Default, (w, h) => (w, h));
        var rgb = new byte[image.Width * image.Height * 3];
        for (var i = 0; i < image.Width * image.Height; i++)
            image.Buffer.AsSpan(i * DecodedImage.BytesPerPixel, 3).CopyTo(rgb.AsSpan(i * 3));
        return (image.Width, image.Height, rgb);
    }
}
