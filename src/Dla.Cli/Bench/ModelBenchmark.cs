using System.CommandLine;
using System.Diagnostics;
using Dla.Modeling.Inference;

namespace Dla.Cli.Bench;

/// <summary>
/// <c>dla bench model</c>: images per second of the model alone on a fixed random batch. With <c>--against
/// other.onnx</c> the two sessions run in one process, inference calls alternating, so drift on a shared machine
/// hits both sides alike. The -m session measures a few per cent slower than the same file as --against, so
/// scripts/bench-vs-timm.sh runs both positions against timm's export and takes the geometric mean.
/// </summary>
internal static class ModelBenchmark
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Variant, architecture .json, or .onnx file", Required = true };
        var against = new Option<string?>("--against") { Description = "A second .onnx file with the same input, run alternately with --model; prints the ratio" };
        var batch = new Option<int>("--batch") { Description = "Images per inference call", DefaultValueFactory = _ => 16 };
        var seconds = new Option<double>("--seconds") { Description = "How long to measure", DefaultValueFactory = _ => 10 };
        var options = new ModelOptions();
        var command = new Command("model", "Images/s of the model alone (no decoding)") { model, against, batch, seconds };
        options.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            using var session = await options.OpenAsync(result, result.GetValue(model)!, ct);
            using var other = result.GetValue(against) is { } path ? DlaSession.Open(path, options.Inference(result)) : null;
            var config = session.Description.Preprocess;
            var n = Math.Max(1, result.GetValue(batch));
            var input = RandomInput(n * 3 * config.InputHeight * config.InputWidth);
            var sessions = other is null ? [session] : new[] { session, other };
            var rates = sessions.Select(_ => new List<double>()).ToArray();
            foreach (var s in sessions)
            {
                s.Run(input, n, config.InputHeight, config.InputWidth);
            }
            var total = Stopwatch.StartNew();
            while (total.Elapsed.TotalSeconds < result.GetValue(seconds) || rates[0].Count < 3)
            {
                // A-B, then B-A: the second call of a pair runs measurably faster (warm caches; 0.8 % for the same
                // file against itself), so the order alternates and neither side keeps that advantage.
                var order = rates[0].Count % 2 == 0 ? Enumerable.Range(0, sessions.Length) : Enumerable.Range(0, sessions.Length).Reverse();
                foreach (var i in order)
                {
                    ct.ThrowIfCancellationRequested();
                    var clock = Stopwatch.StartNew();
                    sessions[i].Run(input, n, config.InputHeight, config.InputWidth);
                    rates[i].Add(n / clock.Elapsed.TotalSeconds);
                }
            }
            var threads = result.GetValue(options.Threads);
            var settings = $"provider {session.Provider}, batch {n}, input {config.InputHeight}x{config.InputWidth}, intra-op threads {(threads == 0 ? "default" : threads)}, cores {Environment.ProcessorCount}";
            if (other is null)
            {
                // Two lines, the rate first on the last: scripts read it with awk.
                Console.WriteLine($"model {session.Description.Name} ({session.Description.Precision}, {session.Description.WeightsSource}) {settings}");
                Console.WriteLine($"{Median(rates[0]):F2} images/s ({Spread(rates[0])})");
                return;
            }
            Console.WriteLine(settings);
            for (var i = 0; i < sessions.Length; i++)
            {
                var d = sessions[i].Description;
                Console.WriteLine($"{d.Name} ({d.Precision}, {d.WeightsSource}): {Median(rates[i]):F2} images/s ({Spread(rates[i])})");
            }
            // Both sides ran first equally often, interleaved, so drift hits both; compare their medians.
            Console.WriteLine($"ratio {Median(rates[0]) / Median(rates[1]):F3} ({session.Description.Name} ÷ {other.Description.Name}, medians of {rates[0].Count} interleaved calls each)");
        });
        return command;
    }

    private static float[] RandomInput(int length)
    {
        var random = new Random(0);
        var input = new float[length];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (float)(random.NextDouble() * 4 - 2);
        }
        return input;
    }

    private static string Spread(List<double> rates) => $"median of {rates.Count} runs; min {rates.Min():F2}, max {rates.Max():F2}";

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
