using System.Text.Json;
using Dla.Modeling.Prediction;
using Dla.Persistence.Results;

namespace Dla.Worker.Batches;

/// <summary>Maps predictions to the rows the result writer stores.</summary>
internal static class BatchOutcomes
{
    // camelCase gives the documented TopKJson shape: [{"index": 1, "label": "...", "probability": 0.9}].
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The result row of a successful prediction; labels only when classifying, the embedding only when embedding.</summary>
    public static ImageResult Result(Guid jobId, long imageId, PredictionResult prediction, bool classify)
    {
        var top = classify && prediction.TopK is { Count: > 0 } topK ? topK : null;
        return new ImageResult
        {
            JobId = jobId,
            ImageId = imageId,
            Top1Index = top?[0].Index,
            Top1Label = top?[0].Label,
            Top1Probability = top?[0].Probability,
            TopKJson = top is null ? null : JsonSerializer.Serialize(top, Json),
            Embedding = prediction.Embedding,
        };
    }

    /// <summary>The error row of a failed image.</summary>
    public static ImageError Error(Guid jobId, long imageId, ImageFailure failure) => new()
    {
        JobId = jobId,
        ImageId = imageId,
        Kind = failure.Kind,
        Message = failure.Message,
    };
}
