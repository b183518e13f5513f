using System.CommandLine;
using Dla.Cli.Bench;
using Dla.Cli.Datasets;
using Dla.Cli.Models;
using Dla.Cli.Predict;

namespace Dla.Cli;

/// <summary>The command tree of <c>dla</c>, one entry per feature.</summary>
internal static class DlaCommandLine
{
    public static RootCommand Create() => new("dla: batch image inference with the DLA model family (timm-exact, ONNX Runtime).")
    {
        ModelCommands.Create(),
        PredictCommand.Create(),
        BenchCommands.Create(),
        new Command("dataset", "Build datasets for demos and benchmarks") { SampleDatasetCommand.Create() },
    };
}
