using System.Text.Json.Serialization;
using Dla.Cli.Models;
using Dla.Cli.Predict;

namespace Dla.Cli;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<VariantRow>))]
[JsonSerializable(typeof(PredictionLine))]
internal sealed partial class CliJson : JsonSerializerContext;
