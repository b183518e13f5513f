namespace Dla.Modeling.Images;

/// <summary>
/// torchvision's <c>ToTensor</c> then <c>Normalize</c>: <c>(v / 255 - mean) / std</c> in float32,
/// tabulated per channel for all 256 byte values so each pixel costs one lookup.
/// </summary>
internal sealed class ChwNormalizer
{
    private const int Channels = 3;
    private readonly float[] _table = new float[Channels * 256];

    public ChwNormalizer(float[] mean, float[] std)
    {
        for (var c = 0; c < Channels; c++)
        {
            for (var v = 0; v < 256; v++)
                _table[(c * 256) + v] = ((v / 255f) - mean[c]) / std[c];
        }
    }

    /// <summary>
    /// Writes a <paramref name="height"/> × <paramref name="width"/> CHW tensor whose pixels inside
    /// <paramref name="window"/> (in tensor coordinates) come from packed RGB <paramref name="rgb"/>
    /// and whose pixels outside it are torchvision's zero padding.
    /// </summary>
    public void Write(ReadOnlySpan<byte> rgb, PixelWindow window, int width, int height, Span<float> destination)
    {
        var plane = width * height;
        var covered = window.Width == width && window.Height == height;
        for (var c = 0; c < Channels; c++)
        {
            var lookup = _table.AsSpan(c * 256, 256);
            var output = destination.Slice(c * plane, plane);
            if (!covered)
                output.Fill(lookup[0]);
            for (var y = 0; y < window.Height; y++)
            {
                var row = output.Slice(((window.Top + y) * width) + window.Left, window.Width);
                var input = rgb[(((y * window.Width) * Channels) + c)..];
                for (var x = 0; x < row.Length; x++)
                    row[x] = lookup[input[x * Channels]];
            }
        }
    }
}
