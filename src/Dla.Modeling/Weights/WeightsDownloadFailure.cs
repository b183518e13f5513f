namespace Dla.Modeling.Weights;

/// <summary>Why a weights download failed, so callers can react without parsing messages.</summary>
public enum WeightsDownloadFailure
{
    /// <summary>The server could not be reached: no network, DNS failure, connection refused or TLS failure.</summary>
    Unreachable,

    /// <summary>The server stopped sending for longer than the read timeout.</summary>
    Timeout,

    /// <summary>The connection broke after the download had started.</summary>
    Interrupted,

    /// <summary>HTTP 404: the repository, the revision or the file does not exist.</summary>
    NotFound,

    /// <summary>HTTP 401 or 403: the repository is private or gated, or the token has no access.</summary>
    AccessDenied,

    /// <summary>The downloaded bytes do not hash to the SHA-256 the server announced.</summary>
    ChecksumMismatch,

    /// <summary>The downloaded file is not a well-formed safetensors file.</summary>
    InvalidFile,

    /// <summary>Any other unsuccessful HTTP status, or too many redirects.</summary>
    HttpError,
}
