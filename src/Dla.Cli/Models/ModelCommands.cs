using System.CommandLine;
using System.Text.Json;
using Dla.Modeling.Architecture;
using Dla.Modeling.Checking;
using Dla.Modeling.Models;
using Dla.Modeling.Weights;

namespace Dla.Cli.Models;

/// <summary><c>dla model list | export | check</c>.</summary>
internal static class ModelCommands
{
    public static Command Create() => new("model", "List, export and check DLA models") { List(), Export(), Check() };

    private static Command List()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("list", "Every variant of the model card: parameters, MACs at 224×224, embedding size, top-1") { json };
        command.SetAction(result =>
        {
            var rows = DlaVariants.All.Select(v =>
            {
                var network = DlaNetwork.Build(v.Architecture);
                return new VariantRow(v.Name, StateDictLayout.Parameters(network), NetworkCost.Macs(network), v.Architecture.EmbeddingDim, v.Top1, v.HubRepository);
            }).ToList();
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(rows, CliJson.Default.ListVariantRow));
                return;
            }
            Console.WriteLine($"{"name",-16}{"parameters",14}{"GMACs",9}{"embedding",11}{"top1",8}  weights");
            foreach (var r in rows)
            {
                Console.WriteLine($"{r.Name,-16}{r.Parameters,14:N0}{r.Macs / 1e9,9:F3}{r.EmbeddingDim,11}{r.Top1,8:F2}  hf:{r.Weights}");
            }
        });
        return command;
    }

    private static Command Export()
    {
        var model = new Argument<string>("model") { Description = "Variant name or architecture .json" };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the .onnx file", Required = true };
        var options = new ModelOptions();
        var command = new Command("export", "Build the ONNX graph (input 'input', outputs 'logits' and 'embedding')") { model, output };
        options.AddTo(command, runtime: false);
        command.SetAction(async (result, ct) =>
        {
            using var hub = new HuggingFaceHub();
            var bytes = await new ModelRepository(hub).BuildAsync(options.Request(result, result.GetValue(model)!), ct);
            var file = result.GetValue(output)!;
            await File.WriteAllBytesAsync(file.FullName, bytes, ct);
            Console.WriteLine($"wrote {file.FullName} ({bytes.Length:N0} bytes)");
        });
        return command;
    }

    private static Command Check()
    {
        var model = new Argument<string>("model") { Description = "Variant, architecture .json (a golden case.json works) or .onnx" };
        var against = new Option<FileInfo>("--against") { Description = "Reference safetensors with 'input', 'logits' and optionally 'embedding'", Required = true };
        var tolerance = new Option<double>("--tolerance") { Description = "Allowed max |Δ| as a factor of max(1, max |expected|)", DefaultValueFactory = _ => ReferenceCheck.Tolerance };
        var explain = new Option<bool>("--explain") { Description = "On failure, also evaluate the network in float64 to tell graph errors from the reference's own rounding (slow)" };
        var options = new ModelOptions();
        var command = new Command("check", "Run a reference input through the model and compare outputs (exit 0 within tolerance, 1 outside)") { model, against, tolerance, explain };
        options.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            using var session = await options.OpenAsync(result, result.GetValue(model)!, ct);
            var reference = SafeTensorsFile.Open(result.GetValue(against)!.FullName);
            var report = ReferenceCheck.Run(session, reference, result.GetValue(tolerance));
            Console.WriteLine($"model {session.Description.Name} ({session.Description.WeightsSource}) on {session.Provider}, input [{string.Join(", ", report.InputShape)}]");
            foreach (var o in report.Outputs)
            {
                var verdict = o.Passed ? "ok" : "FAIL";
                var detail = o.Problem is null ? $"max |Δ| {o.MaxAbsolute:E3}, max relative {o.MaxRelative:E3}, bound {o.Bound:E3}" : o.Problem;
                Console.WriteLine($"  {o.Name,-10} {detail}  {verdict}");
            }
            foreach (var note in report.Notes)
            {
                Console.WriteLine($"  note: {note}");
            }
            if (!report.Passed && result.GetValue(explain))
            {
                await ExplainAsync(options.Request(result, result.GetValue(model)!), reference, ct);
            }
            Console.WriteLine(report.Passed ? "PASS" : "FAIL");
            return report.Passed ? 0 : 1;
        });
        return command;
    }

    private static async Task ExplainAsync(ModelRequest request, SafeTensorsFile reference, CancellationToken ct)
    {
        using var hub = new HuggingFaceHub();
        if (await new ModelRepository(hub).LoadNetworkAsync(request, ct) is not var (network, weights))
        {
            Console.WriteLine("  note: an ONNX file has no architecture here, so it cannot be evaluated in float64");
            return;
        }
        var exact = ReferenceCheck.ExactDistance(network, weights, reference);
        Console.WriteLine($"  float64 evaluation of the same network: max |Δ| {exact:E3} from the reference");
        Console.WriteLine("  (comparable to the differences above: the reference's own float32 rounding; far larger: the networks differ)");
    }
}

internal sealed record VariantRow(string Name, long Parameters, long Macs, int EmbeddingDim, double Top1, string Weights);
