using System.Collections.Concurrent;
using Dla.Contracts;
using Dla.Modeling.Images;
using Dla.Modeling.Inference;
using Dla.Modeling.Models;
using Dla.Modeling.Onnx;
using Dla.Scheduler.Jobs;

namespace Dla.Scheduler.Search;

/// <summary>
/// Embeds an uploaded query image with a job's own model and timm's eval transform, so the query lands
/// in the same space as the job's stored embeddings. One ONNX Runtime session per distinct model,
/// created on first use and disposed with the container.
/// </summary>
public sealed class QueryEmbedder(ModelRepository models) : IDisposable
{
    private readonly ConcurrentDictionary<ModelSpec, Lazy<Task<DlaSession>>> _sessions = new();

    /// <summary>The embedding of <paramref name="image"/> (encoded bytes) under <paramref name="model"/>.</summary>
    /// <exception cref="JobValidationException">The bytes are not a decodable image within the limits.</exception>
    /// <exception cref="JobStateException">The model has no embedding output.</exception>
    public async Task<float[]> EmbedAsync(ModelSpec model, byte[] image, CancellationToken cancellationToken)
    {
        var key = model with { TopK = 0, Tasks = JobTasks.None };
        DlaSession session;
        try
        {
            session = await _sessions.GetOrAdd(key, k => new Lazy<Task<DlaSession>>(() => OpenAsync(k))).Value.WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is ModelLoadException or Modeling.Weights.WeightsFormatException or Modeling.Weights.WeightsDownloadException)
        {
            // Not cached: a later search may succeed (e.g. once the hub is reachable).
            _sessions.TryRemove(key, out _);
            throw new JobStateException($"The job's model cannot be loaded here: {ex.Message}");
        }
        if (!session.HasEmbedding)
        {
            throw new JobStateException($"Model '{model.Model}' has no embedding output, so an upload cannot be compared with the job's images. Export the model with 'dla model export' (which adds the output) and submit the job with that file.");
        }
        var preprocessor = new ImagePreprocessor(session.Description.Preprocess);
        float[] input;
        try
        {
            input = preprocessor.Preprocess(image);
        }
        catch (ImageDecodeException ex)
        {
            throw new JobValidationException(new Dictionary<string, string[]> { ["image"] = [$"{ex.Kind}: {ex.Message}"] });
        }
        var config = preprocessor.Config;
        var outputs = session.Run(input, 1, config.InputHeight, config.InputWidth);
        return outputs.EmbeddingOf(0).ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var session in _sessions.Values.Where(s => s.IsValueCreated && s.Value.IsCompletedSuccessfully))
        {
            session.Value.Result.Dispose();
        }
    }

    private async Task<DlaSession> OpenAsync(ModelSpec model)
    {
        var precision = model.Precision == "fp16" ? OnnxPrecision.Fp16 : OnnxPrecision.Fp32;
        var path = await models.ResolveAsync(new ModelRequest(model.Model, model.Weights, model.Seed, model.NumClasses, precision));
        return DlaSession.Open(path);
    }
}
