using System.CommandLine;
using System.Diagnostics;

namespace Dla.Cli.Bench;

/// <summary>
/// <c>dla bench model</c>: images per second of the model alone, on a fixed random batch; <c>dla bench decode</c>:
/// images per second of decoding and preprocessing alone (no model).
/// </summary>
internal static class BenchCommands
{
    public static Command Create() => new("bench", "Measure throughput") { Model(), DecodeBenchmark.Create() };

    private static Command Model()
    {
        var model = new Option<string>("--model", "-m") { Description = "Variant, architecture .json, or .onnx file", Required = true };
        var batch = new Option<int>("--batch") { Description = "Images per inference call", DefaultValueFactory = _ => 16 };
        var seconds = new Option<double>("--seconds") { Description = "How long to measure", DefaultValueFactory = _ => 10 };
        var options = new ModelOptions();
        var command = new Command("model", "Images/s of the model alone (no decoding)") { model, batch, seconds };
        options.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            using var session = await options.OpenAsync(result, result.GetValue(model)!, ct);
            var config = session.Description.Preprocess;
            var n = Math.Max(1, result.GetValue(batch));
            var input = new float[n * 3 * config.InputHeight * config.InputWidth];
            var random = new Random(0);
            for (var i = 0; i < input.Length; i++)
            {
                input[i] = (float)(random.NextDouble() * 4 - 2);
            }
            session.Run(input, n, config.InputHeight, config.InputWidth);
            var rates = new List<double>();
            var total = Stopwatch.StartNew();
            while (total.Elapsed.TotalSeconds < result.GetValue(seconds) || rates.Count < 3)
            {
                ct.ThrowIfCancellationRequested();
                var clock = Stopwatch.StartNew();
                session.Run(input, n, config.InputHeight, config.InputWidth);
                rates.Add(n / clock.Elapsed.TotalSeconds);
            }
            rates.Sort();
            var threads = result.GetValue(options.Threads);
            Console.WriteLine($"model {session.Description.Name} ({session.Description.Precision}, {session.Description.WeightsSource}) provider {session.Provider}, batch {n}, input {config.InputHeight}x{config.InputWidth}, intra-op threads {(threads == 0 ? "default" : threads)}, cores {Environment.ProcessorCount}");
            Console.WriteLine($"{rates[rates.Count / 2]:F2} images/s (median of {rates.Count} runs; min {rates[0]:F2}, max {rates[^1]:F2})");
        });
        return command;
    }
}
