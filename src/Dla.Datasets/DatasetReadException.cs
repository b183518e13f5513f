namespace Dla.Datasets;

/// <summary>
/// One image of a dataset cannot be read, and reading it again will not help: it is missing, too
/// large, or refused. The image gets an error row of <see cref="Kind"/>; its batch goes on.
/// Transient failures (storage unavailable, timeouts) are not this type: they propagate as they
/// are, so the batch is retried.
/// </summary>
public class DatasetReadException : Exception
{
    /// <summary>The image does not exist or cannot be opened.</summary>
    public const string ReadFailed = "read_failed";

    /// <summary>The encoded image is longer than <see cref="DatasetOptions.MaxImageBytes"/>.</summary>
    public const string TooLarge = "too_large";

    /// <summary>Creates the exception.</summary>
    /// <param name="kind"><see cref="ReadFailed"/> or <see cref="TooLarge"/>: the error row's kind.</param>
    /// <param name="message">What failed, naming the image.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public DatasetReadException(string kind, string message, Exception? innerException = null)
        : base(message, innerException) => Kind = kind;

    /// <summary>The stable kind stored with the image's error row.</summary>
    public string Kind { get; }
}
