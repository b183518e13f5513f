using System.CommandLine;
using Dla.Modeling.Inference;
using Dla.Modeling.Models;
using Dla.Modeling.Onnx;
using Dla.Modeling.Weights;

namespace Dla.Cli;

/// <summary>The options every model-using command shares: which model, which weights, where to run it.</summary>
internal sealed class ModelOptions
{
    public Option<string?> Weights { get; } = new("--weights") { Description = "Safetensors path, hf:REPO[@REV], or 'random' (default: timm's pretrained weights for a variant)" };

    public Option<int> Seed { get; } = new("--seed") { Description = "Seed for --weights random", DefaultValueFactory = _ => 0 };

    public Option<int?> NumClasses { get; } = new("--num-classes") { Description = "Classifier size for --weights random" };

    public Option<OnnxPrecision> Precision { get; } = new("--precision") { Description = "fp32 (exact) or fp16 (for CUDA)", DefaultValueFactory = _ => OnnxPrecision.Fp32 };

    public Option<ExecutionProvider> Provider { get; } = new("--provider") { Description = "cpu or cuda (falls back to cpu with a warning)", DefaultValueFactory = _ => ExecutionProvider.Cpu };

    public Option<int> Threads { get; } = new("--threads") { Description = "ONNX Runtime intra-op threads (0: automatic; beside decoding, up to 4 inference calls at once, each on its share of the cores)", DefaultValueFactory = _ => 0 };

    public void AddTo(Command command, bool runtime = true)
    {
        command.Options.Add(Weights);
        command.Options.Add(Seed);
        command.Options.Add(NumClasses);
        command.Options.Add(Precision);
        if (runtime)
        {
            command.Options.Add(Provider);
            command.Options.Add(Threads);
        }
    }

    public ModelRequest Request(ParseResult result, string model) =>
        new(model, result.GetValue(Weights), result.GetValue(Seed), result.GetValue(NumClasses), result.GetValue(Precision));

    /// <summary>Provider and threads from the command line; <paramref name="sharesCoresWithDecoding"/> where images decode beside the model.</summary>
    public InferenceOptions Inference(ParseResult result, bool sharesCoresWithDecoding = false) =>
        new() { Provider = result.GetValue(Provider), IntraOpThreads = result.GetValue(Threads), SharesCoresWithDecoding = sharesCoresWithDecoding };

    /// <summary>Resolves the model to a cached ONNX file and opens one session on it.</summary>
    public async Task<DlaSession> OpenAsync(ParseResult result, string model, CancellationToken cancellationToken, bool sharesCoresWithDecoding = false)
    {
        using var hub = new HuggingFaceHub();
        var path = await new ModelRepository(hub).ResolveAsync(Request(result, model), cancellationToken);
        var session = DlaSession.Open(path, Inference(result, sharesCoresWithDecoding));
        if (session.Description.Untrained)
        {
            Console.Error.WriteLine($"warning: {session.Description.Name} uses untrained {session.Description.WeightsSource} weights; its predictions are meaningless.");
        }
        return session;
    }
}
