namespace Dla.Datasets;

/// <summary>
/// A dataset or image may not be read: a local folder outside <see cref="DatasetOptions.AllowedRoots"/>,
/// a container outside <see cref="DatasetOptions.AllowedContainers"/>, a blob dataset without a
/// configured blob account, or an image path that would leave the dataset (<c>..</c>, an absolute
/// path, a link pointing outside). Retrying cannot help: the API answers 400, and an image refused
/// this way gets a <see cref="DatasetReadException.ReadFailed"/> error row.
/// </summary>
public sealed class DatasetAccessException : DatasetReadException
{
    /// <summary>Creates the exception with a message naming the dataset and the rule it breaks.</summary>
    public DatasetAccessException(string message)
        : base(ReadFailed, message)
    {
    }

    /// <summary>Creates the exception with the cause.</summary>
    public DatasetAccessException(string message, Exception innerException)
        : base(ReadFailed, message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public DatasetAccessException()
        : base(ReadFailed, "The dataset may not be read.")
    {
    }
}
