using System.Net;

namespace Dla.Modeling.Weights;

/// <summary>
/// Downloading weights from the Hugging Face Hub (or a mirror) failed. The message says what
/// happened and what to do about it; <see cref="Failure"/> classifies it. No partial file is
/// left in the cache when this is thrown.
/// </summary>
public sealed class WeightsDownloadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WeightsDownloadException(WeightsDownloadFailure failure, string message, HttpStatusCode? statusCode = null, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
        StatusCode = statusCode;
    }

    /// <summary>Creates the exception.</summary>
    public WeightsDownloadException() { }

    /// <summary>Creates the exception.</summary>
    public WeightsDownloadException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public WeightsDownloadException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Why the download failed.</summary>
    public WeightsDownloadFailure Failure { get; } = WeightsDownloadFailure.HttpError;

    /// <summary>The HTTP status of the failing response, when there was one.</summary>
    public HttpStatusCode? StatusCode { get; }
}
