using System.ComponentModel.DataAnnotations;

namespace Dla.Scheduler.Thumbnails;

/// <summary>Image previews of the console (configuration section <c>Thumbnails</c>).</summary>
public sealed class ThumbnailOptions
{
    public const string Section = "Thumbnails";

    /// <summary>Memory for cached thumbnails, in MiB (a 256-pixel JPEG is 10–20 KiB: 64 MiB holds a few thousand).</summary>
    [Range(1, 4096)]
    public int CacheMegabytes { get; set; } = 64;
}
