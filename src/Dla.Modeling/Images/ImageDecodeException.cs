namespace Dla.Modeling.Images;

/// <summary>
/// An image could not be decoded or was refused by a limit. <see cref="Kind"/> tells callers
/// whether retrying or reporting the file as bad is the right response.
/// </summary>
public sealed class ImageDecodeException : Exception
{
    /// <summary>Creates the exception with a kind and a human-readable message.</summary>
    public ImageDecodeException(ImageErrorKind kind, string message)
        : base(message) => Kind = kind;

    /// <summary>Creates the exception with a kind, a message and the underlying cause.</summary>
    public ImageDecodeException(ImageErrorKind kind, string message, Exception innerException)
        : base(message, innerException) => Kind = kind;

    /// <summary>The category of failure.</summary>
    public ImageErrorKind Kind { get; }
}
