using System.CommandLine;
using Dla.Cli.Bench;
using Dla.Cli.Datasets;
using Dla.Cli.Jobs;
using Dla.Cli.Models;
using Dla.Cli.Predict;
using Dla.Cli.Run;

namespace Dla.Cli;

/// <summary>The command tree of <c>dla</c>, one entry per feature.</summary>
internal static class DlaCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand("dla: batch image inference with the DLA model family (timm-exact, ONNX Runtime).")
        {
            RunCommand.Create(),
            ModelCommands.Create(),
            PredictCommand.Create(),
            BenchCommands.Create(),
            new Command("dataset", "Build datasets for demos and benchmarks") { SampleDatasetCommand.Create() },
        };
        foreach (var command in JobCommands.Create())
        {
            root.Subcommands.Add(command);
        }
        return root;
    }
}
