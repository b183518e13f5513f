namespace Dla.Worker.Inference;

/// <summary>
/// The job's model file no longer has the content the job was pinned to at submission (the blob or file was
/// replaced). The batch fails at once, without retries: running it would label part of the dataset with
/// another model. The message starts with <c>weights_changed</c>, the reason users and tests look for.
/// </summary>
public sealed class WeightsChangedException(string reference, string pinned, string found)
    : Exception($"weights_changed: '{reference}' now has SHA-256 {found}, but the job was pinned to {pinned} when it was submitted; resubmit the job to use the new file.");
