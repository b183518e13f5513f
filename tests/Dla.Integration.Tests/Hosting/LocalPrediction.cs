using Dla.Modeling.Images;
using Dla.Modeling.Inference;
using Dla.Modeling.Models;
using Dla.Modeling.Prediction;
using Dla.Modeling.Weights;

namespace Dla.Integration.Tests.Hosting;

/// <summary>What <c>dla predict</c> gives for files: the reference a distributed job must reproduce.</summary>
internal static class LocalPrediction
{
    /// <summary>dla46_c with <paramref name="weights"/>, top-5 and embeddings, keyed by file name.</summary>
    public static async Task<Dictionary<string, PredictionResult>> PredictAsync(IEnumerable<string> files, string weights, string cacheDirectory, CancellationToken ct)
    {
        using var hub = new HuggingFaceHub(new HubWeightsOptions { CacheDirectory = cacheDirectory });
        using var session = DlaSession.Open(await new ModelRepository(hub).ResolveAsync(new ModelRequest("dla46_c", weights), ct));
        var predictor = new BatchPredictor(session, new ImagePreprocessor(session.Description.Preprocess), new PredictorOptions(BatchSize: 4, TopK: 5, IncludeEmbeddings: true));
        var results = await predictor.PredictAsync(files.Select(ImageSource.FromFile), ct).ToListAsync(ct);
        return results.ToDictionary(r => Path.GetFileName(r.Id));
    }
}
