using System.ComponentModel.DataAnnotations;

namespace Dla.Scheduler.Api;

/// <summary>
/// How large a request the API reads (configuration section <c>Api</c>): a body over the limit is answered
/// with 413 and a problem naming the setting, before or while it is read, never buffered whole.
/// </summary>
public sealed class RequestLimitOptions
{
    public const string Section = "Api";

    /// <summary>Largest JSON body (a job submission, a search by path), in bytes.</summary>
    [Range(1024, 1L << 30)]
    public long MaxJsonBytes { get; set; } = 1L << 20;

    /// <summary>Largest multipart upload (a query image for search), in bytes.</summary>
    [Range(1024, 1L << 32)]
    public long MaxUploadBytes { get; set; } = 32L << 20;
}
