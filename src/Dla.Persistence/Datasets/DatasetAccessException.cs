namespace Dla.Persistence.Datasets;

/// <summary>
/// A dataset may not be read: a local folder outside <see cref="DatasetOptions.AllowedRoots"/>, a
/// container outside <see cref="DatasetOptions.AllowedContainers"/>, or a blob dataset without a
/// configured blob account. A client error: retrying cannot help.
/// </summary>
public sealed class DatasetAccessException : Exception
{
    /// <summary>Creates the exception with a message naming the dataset and the rule it breaks.</summary>
    public DatasetAccessException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the cause.</summary>
    public DatasetAccessException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public DatasetAccessException()
        : base("The dataset may not be read.")
    {
    }
}
