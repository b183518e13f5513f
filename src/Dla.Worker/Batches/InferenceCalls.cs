namespace Dla.Worker.Batches;

/// <summary>How many images of a batch message go into one inference call.</summary>
public static class InferenceCalls
{
    /// <summary>
    /// The images per call: <paramref name="configured"/> (<c>Worker:InferenceBatchSize</c>) when set; with 0, the message
    /// split evenly into as many calls as the model has lanes, and at least two, so every lane gets a call and the second
    /// call's images decode while the first runs. A GPU (one lane) thus runs half a message per call, which the job's
    /// <c>batch_size</c> sizes, instead of a fixed small number; on 2 CPU cores a message of 64 is two calls of 32, where
    /// eight calls of 8 cost 0.1 ms more per image in the tiny model's weights streamed back into the caches each call
    /// (docs/benchmarks.md, "Worker overhead").
    /// </summary>
    /// <param name="configured">The configured images per call; 0 for the split above.</param>
    /// <param name="messageImages">The images in the message.</param>
    /// <param name="lanes">The inference calls the model runs at once (<c>DlaSession.Lanes</c>).</param>
    public static int Size(int configured, int messageImages, int lanes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(configured);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lanes);
        var images = Math.Max(1, messageImages);
        if (configured > 0)
        {
            return Math.Min(configured, images);
        }
        var calls = Math.Max(2, lanes);
        return (images + calls - 1) / calls;
    }
}
