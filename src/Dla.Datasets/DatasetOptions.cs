using System.ComponentModel.DataAnnotations;

namespace Dla.Datasets;

/// <summary>
/// Security limits on image sources (configuration section <c>Datasets</c>): local datasets must lie
/// under one of <see cref="AllowedRoots"/> and blob datasets in one of <see cref="AllowedContainers"/>.
/// </summary>
public sealed class DatasetOptions
{
    public const string Section = "Datasets";

    /// <summary>
    /// Folders local datasets may be read from. Empty: no local folder may be read (a scheduler answers
    /// over HTTP and must not read whatever path a request names); the embedded runner allows the
    /// folder it was given.
    /// </summary>
    public List<string> AllowedRoots { get; set; } = [];

    /// <summary>Blob containers datasets may be read from (empty: any container of the configured account).</summary>
    public List<string> AllowedContainers { get; set; } = [];

    /// <summary>Largest encoded image read, in bytes.</summary>
    public long MaxImageBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Blob names asked for per listing request after the first (the service's maximum is 5,000). The
    /// first request asks for 256 so the first batch is planned at once.
    /// </summary>
    [Range(1, 5000)]
    public int BlobListPageSize { get; set; } = 5000;

    /// <summary>Image file extensions a listing keeps (lowercase, with the dot).</summary>
    public List<string> Extensions { get; set; } = [".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp"];
}
