namespace Dla.Modeling.Tests.Weights;

/// <summary>
/// The dla46_c golden weights from ../shared/golden (timm's own safetensors file), served by the
/// hub tests as a realistic download. Tests skip with the reason when the shared folder is absent.
/// </summary>
internal static class HubGoldenWeights
{
    /// <summary>The bytes of models/dla46_c/weights.safetensors, or a skipped test.</summary>
    public static byte[] Dla46C() => File.ReadAllBytes(GoldenData.RequirePath("models", "dla46_c", "weights.safetensors"));
}
