using System.Text.Json;
using Dla.Modeling.Architecture;

namespace Dla.Modeling.Tests.Onnx;

/// <summary>The model cases under shared/golden/models: timm's outputs for known weights.</summary>
internal static class GoldenModels
{
    public static readonly string[] Cases = ["tiny_basic", "tiny_bottleneck", "tiny_bottleneck_x_root", "tiny_res2net", "tiny_res2next", "dla46_c", "dla60x_c"];

    public static TheoryData<string> All => [.. Cases];

    public static string Directory(string caseName) => Path.Combine(GoldenData.RequireRoot(), "models", caseName);

    public static string Weights(string caseName) => Path.Combine(Directory(caseName), "weights.safetensors");

    public static string Io(string caseName) => Path.Combine(Directory(caseName), "io.safetensors");

    /// <summary>The case's architecture: a variant name or timm constructor arguments.</summary>
    public static DlaArchitecture Architecture(string caseName)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory(caseName), "case.json")));
        var arch = json.RootElement.GetProperty("arch");
        return arch.ValueKind == JsonValueKind.String
            ? DlaVariants.Find(arch.GetString()!)!.Architecture
            : DlaArchitecture.FromJson(arch.GetRawText());
    }

    public static long Parameters(string caseName)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory(caseName), "case.json")));
        return json.RootElement.GetProperty("parameters").GetInt64();
    }
}
