using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Dla.Modeling.Images;
using Dla.Modeling.Inference;

namespace Dla.Modeling.Prediction;

/// <summary>
/// Streams images through decode → batch → inference with decoding running ahead: while the model
/// runs batch n, batches n+1… are read and preprocessed in parallel. Results come out in input
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
        using var producerCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = ProduceAsync(images, batchSize, pending.Writer, producerCancellation.Token);
        try
        {
            await foreach (var prepared in pending.Reader.ReadAllAsync(cancellationToken))
            {
                foreach (var result in Infer(await prepared))
                {
                    yield return result;
                }
            }
            await producer;
        }
        finally
        {
            await producerCancellation.CancelAsync();
            await Task.WhenAny(producer);
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
        // Local files are read on the decode thread that decodes them: one queued call per image and one thread-pool work
        // item per batch, where a read on the pool and its hand-over cost three, and took that much CPU from decoding.
        var inline = Enumerable.Range(0, images.Count).Where(i => images[i].ReadInline is not null).ToArray();
        var decodedInline = decoders.RunAllAsync(inline.Length, k => ReadAndDecode(inline[k]), cancellationToken);
        // Reads that wait on a network run ahead of the decode threads on the pool; decoding itself is bounded by them.
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 2 * decoders.Count, CancellationToken = cancellationToken };
        var decodedRead = Parallel.ForEachAsync(Enumerable.Range(0, images.Count).Where(i => images[i].ReadInline is null), parallel, async (i, ct) =>
        {
            IMemoryOwner<byte> encoded;
            var started = Stopwatch.GetTimestamp();
            try
            {
                encoded = await images[i].ReadAsync(ct);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failures[i] = ReadFailed(ex);
                return;
            }
            finally
            {
                observer?.ImageRead(Stopwatch.GetElapsedTime(started));
            }
            // Given back once decoded: the decode threads finish or skip the work before this await returns.
            using var bytes = encoded;
            await decoders.RunAsync(() => Decode(i, bytes.Memory.Span), ct);
        });
        await Task.WhenAll(decodedInline, decodedRead);
        return new PreparedBatch(images, tensor, failures);

        void ReadAndDecode(int i)
        {
            IMemoryOwner<byte> encoded;
            var started = Stopwatch.GetTimestamp();
            try
            {
                encoded = images[i].ReadInline!();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                failures[i] = ReadFailed(ex);
                return;
            }
            finally
            {
                observer?.ImageRead(Stopwatch.GetElapsedTime(started));
            }
            using var bytes = encoded;
            Decode(i, bytes.Memory.Span);
        }

        void Decode(int i, ReadOnlySpan<byte> encoded)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                preprocessor.Preprocess(encoded, tensor.AsSpan(i * length, length));
            }
            catch (ImageDecodeException ex)
            {
                failures[i] = new ImageFailure(ImageFailureKinds.Of(ex.Kind), ex.Message);
            }
            finally
            {
                observer?.ImageDecoded(Stopwatch.GetElapsedTime(started));
            }
        }
    }

    private static ImageFailure ReadFailed(Exception ex) => new("read_failed", ex.Message);

    private IEnumerable<PredictionResult> Infer(PreparedBatch batch)
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
        var row = 0;
        for (var i = 0; i < batch.Images.Count; i++)
        {
            var id = batch.Images[i].Id;
            if (batch.Failures[i] is { } failure)
            {
                yield return new PredictionResult(id, null, null, failure);
                continue;
            }
            var topK = TopK.Select(outputs!.LogitsOf(row), options.TopK, options.Labels);
            var embedding = options.IncludeEmbeddings && session.HasEmbedding ? outputs.EmbeddingOf(row).ToArray() : null;
            row++;
            yield return new PredictionResult(id, topK, embedding, null);
        }
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
