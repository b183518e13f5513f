namespace Dla.Scheduler.Thumbnails;

/// <summary>
/// A preview ready to send: the image, its content type and entity tag, or a placeholder that says why there is
/// no preview (<see cref="Problem"/>, an image error kind such as <c>unreadable</c> or <c>read_failed</c>).
/// </summary>
public sealed record Thumbnail(byte[] Content, string ContentType, string ETag, string? Problem)
{
    /// <summary>Sizes the console asks for; any other size is a 400 (a fixed set keeps the cache small).</summary>
    public static readonly IReadOnlyList<int> Sizes = [128, 256, 512];

    /// <summary>The default size of a grid cell.</summary>
    public const int DefaultSize = 256;

    public bool IsPlaceholder => Problem is not null;
}
