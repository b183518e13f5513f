namespace Dla.Persistence.Jobs;

/// <summary>One image of a job's manifest, in listing order: the fixed denominator of progress.</summary>
public sealed class ManifestImage
{
    public Guid JobId { get; set; }

    /// <summary>0-based position in the listing.</summary>
    public long ImageId { get; set; }

    /// <summary>Path relative to the dataset root.</summary>
    public required string Path { get; set; }

    public int BatchIndex { get; set; }
}
