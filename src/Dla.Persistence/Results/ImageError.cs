namespace Dla.Persistence.Results;

/// <summary>Why one image has no result. Keyed by (job, image); removed if a retry later succeeds.</summary>
public sealed class ImageError
{
    public Guid JobId { get; set; }

    public long ImageId { get; set; }

    /// <summary>Stable kind: unreadable, truncated, unsupported_format, too_many_pixels, too_large, read_failed, timeout.</summary>
    public required string Kind { get; set; }

    public required string Message { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
