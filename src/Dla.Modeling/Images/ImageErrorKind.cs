namespace Dla.Modeling.Images;

/// <summary>Why an encoded image could not be turned into a network input.</summary>
public enum ImageErrorKind
{
    /// <summary>The bytes are empty or are not an image in any format the decoder recognises.</summary>
    Unreadable,

    /// <summary>The file starts as a valid image but its pixel data ends early or is corrupt.</summary>
    Truncated,

    /// <summary>The format was recognised but this variant of it cannot be decoded.</summary>
    UnsupportedFormat,

    /// <summary>The header declares more pixels than <see cref="ImageDecodeOptions.MaxPixels"/> (a decompression bomb guard).</summary>
    TooManyPixels,

    /// <summary>The encoded file is longer than <see cref="ImageDecodeOptions.MaxBytes"/>.</summary>
    TooLarge,
}
