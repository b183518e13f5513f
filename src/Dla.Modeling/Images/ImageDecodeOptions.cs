namespace Dla.Modeling.Images;

/// <summary>Limits and mode for decoding untrusted images.</summary>
/// <param name="MaxPixels">
/// Largest width × height accepted, checked against the header before any pixel memory is
/// allocated. The default is PIL's <c>MAX_IMAGE_PIXELS</c> (89,478,485).
/// </param>
/// <param name="MaxBytes">Largest encoded file accepted, in bytes (default 64 MiB).</param>
/// <param name="Mode">Exact (default) or the faster DCT-domain downscaling for JPEGs.</param>
public sealed record ImageDecodeOptions(
    long MaxPixels = ImageDecodeOptions.DefaultMaxPixels,
    long MaxBytes = ImageDecodeOptions.DefaultMaxBytes,
    DecodeMode Mode = DecodeMode.Exact)
{
    /// <summary>PIL's <c>Image.MAX_IMAGE_PIXELS</c>: 1024 × 1024 × 1024 / 4 / 3.</summary>
    public const long DefaultMaxPixels = 89_478_485;

    /// <summary>64 MiB: far above any photograph, far below a memory problem.</summary>
    public const long DefaultMaxBytes = 64L * 1024 * 1024;

    /// <summary>The defaults: PIL's pixel limit, 64 MiB, exact mode.</summary>
    public static ImageDecodeOptions Default { get; } = new();
}
