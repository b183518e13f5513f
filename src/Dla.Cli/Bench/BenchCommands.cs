using System.CommandLine;

namespace Dla.Cli.Bench;

/// <summary>
/// <c>dla bench model</c>: images per second of the model alone, on a fixed random batch; <c>dla bench decode</c>:
/// images per second of decoding and preprocessing alone (no model).
/// </summary>
internal static class BenchCommands
{
    public static Command Create() => new("bench", "Measure throughput") { ModelBenchmark.Create(), DecodeBenchmark.Create(), FidelityBenchmark.Create() };
}
