namespace Dla.Modeling.Weights;

/// <summary>How many classes a timm DLA checkpoint's classifier has, read from the safetensors header alone.</summary>
public static class CheckpointClasses
{
    /// <summary>The first dimension of <c>fc.weight</c>, or null when the file has no such tensor (it is not a DLA checkpoint).</summary>
    /// <exception cref="WeightsFormatException">The file is not a well-formed safetensors file.</exception>
    public static async Task<int?> CountAsync(string path, CancellationToken cancellationToken = default)
    {
        var entries = await SafeTensorsHeaderCheck.ReadEntriesAsync(path, path, cancellationToken);
        return entries.TryGetValue("fc.weight", out var fc) && fc.Shape.Length > 0 ? fc.Shape[0] : null;
    }
}
