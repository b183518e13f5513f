using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Dla.Modeling.Images;
using Dla.Modeling.Inference;

namespace Dla.Modeling.Prediction;

/// <summary>
/// Streams images through decode → batch → inference with decoding running ahead: while the model
/// runs batch n (and, with a session of several <see cref="DlaSession.Lanes"/>, batches n+1… that are ready too),
/// the next batches are read and preprocessed in parallel. Results come out in input
/// order; a bad image yields an error result and never fails its batch.
/// </summary>
/// <param name="session">The model.</param>
/// <param name="preprocessor">Decoding and preprocessing for the model's input.</param>
/// <param name="options">Batching and outputs.</param>
/// <param name="observer">Receives the time of each read, decode and inference call; null for none.</param>
public sealed class BatchPredictor(DlaSession session, ImagePreprocessor preprocessor, PredictorOptions options, IPredictionObserver? observer = null)
{
    /// <summary>Predicts every image of <paramref name="images"/>.</summary>
    public async IAsyncEnumerable<PredictionResult> PredictAsync(IAsyncEnumerable<ImageSource> images, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var batchSize = Math.Max(1, options.BatchSize);
        var pending = Channel.CreateBounded<Task<PreparedBatch>>(Math.Max(1, options.BatchesAhead));
        // Up to the session's lanes of decoded batches are inferred at once, and their results still come out in order.
        var inferring = new Queue<Task<List<PredictionResult>>>();
        using var producerCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = ProduceAsync(images, batchSize, pending.Writer, producerCancellation.Token);
        try
        {
            await foreach (var prepared in pending.Reader.ReadAllAsync(cancellationToken))
            {
                var batch = await prepared;
                inferring.Enqueue(Task.Run(() => Infer(batch), CancellationToken.None));
                // The oldest inference is awaited once every lane is busy, and passed on as soon as it is done.
                while (inferring.Count > 0 && (inferring.Count >= session.Lanes || inferring.Peek().IsCompleted))
                {
                    foreach (var result in await inferring.Dequeue())
                    {
                        yield return result;
                    }
                }
            }
            while (inferring.TryDequeue(out var inferred))
            {
                foreach (var result in await inferred)
                {
                    yield return result;
                }
            }
            await producer;
        }
        finally
        {
            await producerCancellation.CancelAsync();
            // Nothing outlives the enumeration: an inference still running holds a pooled tensor and the session.
            await Task.WhenAll([producer, .. inferring]).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Predicts a list of images.</summary>
    public IAsyncEnumerable<PredictionResult> PredictAsync(IEnumerable<ImageSource> images, CancellationToken cancellationToken = default) =>
        PredictAsync(images.ToAsyncEnumerable(), cancellationToken);

    private async Task ProduceAsync(IAsyncEnumerable<ImageSource> images, int batchSize, ChannelWriter<Task<PreparedBatch>> writer, CancellationToken cancellationToken)
    {
        try
        {
            var batch = new List<ImageSource>(batchSize);
            await foreach (var image in images.WithCancellation(cancellationToken))
            {
                batch.Add(image);
                if (batch.Count == batchSize)
                {
                    await writer.WriteAsync(PrepareAsync(batch, cancellationToken), cancellationToken);
                    batch = new List<ImageSource>(batchSize);
                }
            }
            if (batch.Count > 0)
            {
                await writer.WriteAsync(PrepareAsync(batch, cancellationToken), cancellationToken);
            }
            writer.Complete();
        }
        catch (Exception ex)
        {
            writer.Complete(ex);
        }
    }

    private async Task<PreparedBatch> PrepareAsync(List<ImageSource> images, CancellationToken cancellationToken)
    {
        var length = preprocessor.OutputLength;
        // Rented: at 224×224 a batch of 32 is 19 MB, a large-object-heap allocation per batch otherwise. Infer gives it back.
        var tensor = ArrayPool<float>.Shared.Rent(images.Count * length);
        var failures = new ImageFailure?[images.Count];
        var decoders = options.Decoders ?? DecodeThreads.Shared;
        // Taken before the first await, so batches are decoded in the order they were started, across every pipeline.
        var ticket = decoders.NextTicket();
        // Reads run ahead of the decode threads (a blob read waits on the network); decoding itself is bounded by them.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 2 * decoders.Count, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, images.Count), parallel, async (i, ct) =>
        {
            IMemoryOwner<byte> encoded;
            var started = Stopwatch.GetTimestamp();
            try
            {
                encoded = await images[i].ReadAsync(ct);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failures[i] = new ImageFailure("read_failed", ex.Message);
                return;
            }
            finally
            {
                observer?.ImageRead(Stopwatch.GetElapsedTime(started));
            }
            // Given back once decoded: the decode threads finish or skip the work before this await returns.
            using var bytes = encoded;
            await decoders.RunAsync(() =>
            {
                var decodeStarted = Stopwatch.GetTimestamp();
                try
                {
                    preprocessor.Preprocess(bytes.Memory.Span, tensor.AsSpan(i * length, length));
                }
                catch (ImageDecodeException ex)
                {
                    failures[i] = new ImageFailure(ImageFailureKinds.Of(ex.Kind), ex.Message);
                }
                finally
                {
                    observer?.ImageDecoded(Stopwatch.GetElapsedTime(decodeStarted));
                }
            }, ticket, ct);
        });
        return new PreparedBatch(images, tensor, failures);
    }

    private List<PredictionResult> Infer(PreparedBatch batch)
    {
        var config = preprocessor.Config;
        var good = Enumerable.Range(0, batch.Images.Count).Where(i => batch.Failures[i] is null).ToArray();
        ModelOutputs? outputs = null;
        try
        {
            if (good.Length > 0)
            {
                var length = preprocessor.OutputLength;
                // Failed images leave holes; compact the good ones so the model never sees padding.
                if (good.Length < batch.Images.Count)
                {
                    Compact(batch.Tensor, good, length);
                }
                var started = Stopwatch.GetTimestamp();
                outputs = session.Run(batch.Tensor.AsMemory(0, good.Length * length), good.Length, config.InputHeight, config.InputWidth);
                observer?.BatchInferred(good.Length, Stopwatch.GetElapsedTime(started));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(batch.Tensor);
        }
        var results = new List<PredictionResult>(batch.Images.Count);
        var row = 0;
        for (var i = 0; i < batch.Images.Count; i++)
        {
            var id = batch.Images[i].Id;
            if (batch.Failures[i] is { } failure)
            {
                results.Add(new PredictionResult(id, null, null, failure));
                continue;
            }
            var topK = TopK.Select(outputs!.LogitsOf(row), options.TopK, options.Labels);
            var embedding = options.IncludeEmbeddings && session.HasEmbedding ? outputs.EmbeddingOf(row).ToArray() : null;
            row++;
            results.Add(new PredictionResult(id, topK, embedding, null));
        }
        return results;
    }

    /// <summary>Moves <paramref name="rows"/> (ascending) to the front of <paramref name="tensor"/>, in order.</summary>
    private static void Compact(float[] tensor, int[] rows, int length)
    {
        for (var r = 0; r < rows.Length; r++)
        {
            if (rows[r] != r)
            {
                tensor.AsSpan(rows[r] * length, length).CopyTo(tensor.AsSpan(r * length, length));
            }
        }
    }

    private sealed record PreparedBatch(List<ImageSource> Images, float[] Tensor, ImageFailure?[] Failures);
}

/// <summary>Stable snake_case names of <see cref="ImageErrorKind"/> for outputs and database rows.</summary>
public static class ImageFailureKinds
{
    /// <summary>The name of <paramref name="kind"/>, e.g. <c>too_many_pixels</c>.</summary>
    public static string Of(ImageErrorKind kind) => kind switch
    {
        ImageErrorKind.Unreadable => "unreadable",
        ImageErrorKind.Truncated => "truncated",
        ImageErrorKind.UnsupportedFormat => "unsupported_format",
        ImageErrorKind.TooManyPixels => "too_many_pixels",
        ImageErrorKind.TooLarge => "too_large",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
