namespace Dla.Modeling.Images;

/// <summary>
/// Recognises image formats the decoder knows of but cannot decode, so a TIFF or HEIC upload is
/// reported as <see cref="ImageErrorKind.UnsupportedFormat"/> rather than as garbage.
/// </summary>
internal static class UnsupportedSignatures
{
    /// <summary>The format's name when <paramref name="encoded"/> starts like an unsupported image format, else null.</summary>
    public static string? Match(ReadOnlySpan<byte> encoded)
    {
        if (encoded.StartsWith("II*\0"u8) || encoded.StartsWith("MM\0*"u8))
            return "TIFF";
        if (encoded.StartsWith("8BPS"u8))
            return "PSD";
        if (encoded.StartsWith("\0\0\0\u000cjP  "u8) || encoded.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x4F, 0xFF, 0x51]))
            return "JPEG 2000";
        // ISO base media files (HEIC, AVIF) carry "ftyp" at offset 4.
        if (encoded.Length >= 12 && encoded.Slice(4, 4).SequenceEqual("ftyp"u8))
            return "HEIF/AVIF";
        return null;
    }
}
