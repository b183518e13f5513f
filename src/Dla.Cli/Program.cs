using System.CommandLine;
using Dla.Cli;
using Dla.Cli.Bench;
using Dla.Cli.Models;
using Dla.Cli.Predict;

var root = new RootCommand("dla: batch image inference with the DLA model family (timm-exact, ONNX Runtime).")
{
    ModelCommands.Create(),
    PredictCommand.Create(),
    BenchCommands.Create(),
};
return await CliRunner.InvokeAsync(root, args);
