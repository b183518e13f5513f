using Dla.Modeling.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Dla.Modeling.Inference;

/// <summary>
/// One ONNX Runtime session for one model, created once and shared: <see cref="Run"/> is
/// thread-safe and runs at most <see cref="Lanes"/> batches at once (<see cref="InferenceThreading"/>: one on the GPU
/// or for the model alone, whose one call already uses every core; a few, each on its share of the cores, where images
/// decode beside the model), and callers overlap decoding with it.
/// Inputs and outputs are bound to caller-visible CPU buffers (I/O binding), so a batch is copied at
/// most once to the device and once back.
/// </summary>
public sealed class DlaSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly SemaphoreSlim _lanes;

    private DlaSession(InferenceSession session, ModelDescription description, ExecutionProvider provider, int lanes, int classes, int embeddingDim)
    {
        _session = session;
        _lanes = new SemaphoreSlim(lanes, lanes);
        Lanes = lanes;
        Description = description;
        Provider = provider;
        Classes = classes;
        EmbeddingDim = embeddingDim;
    }

    /// <summary>The model's metadata (name, classes, preprocessing, provenance).</summary>
    public ModelDescription Description { get; }

    /// <summary>The execution provider actually in use (CPU after a CUDA fallback).</summary>
    public ExecutionProvider Provider { get; }

    /// <summary>Batches that <see cref="Run"/> runs at once; callers with batches ready gain by calling it this many times concurrently.</summary>
    public int Lanes { get; }

    /// <summary>Classifier outputs per image.</summary>
    public int Classes { get; }

    /// <summary>Embedding size, or 0 when the graph has no <c>embedding</c> output.</summary>
    public int EmbeddingDim { get; }

    /// <summary>True when the graph has an <c>embedding</c> output.</summary>
    public bool HasEmbedding => EmbeddingDim > 0;

    /// <summary>Opens an ONNX file (one built here, or a user's own <c>torch.onnx.export</c> with input <c>input</c> and output <c>logits</c>).</summary>
    /// <exception cref="ModelLoadException">The file is not a usable classifier graph.</exception>
    public static DlaSession Open(string onnxPath, InferenceOptions? options = null)
    {
        if (!File.Exists(onnxPath))
        {
            throw new ModelLoadException($"ONNX file '{onnxPath}' does not exist.");
        }
        return Open(onnxPath, o => new InferenceSession(onnxPath, o), options);
    }

    /// <summary>Opens an ONNX model held in memory (e.g. just built by <see cref="DlaOnnxExporter"/>).</summary>
    /// <exception cref="ModelLoadException">The bytes are not a usable classifier graph.</exception>
    public static DlaSession Open(byte[] onnxModel, string label, InferenceOptions? options = null) =>
        Open(label, o => new InferenceSession(onnxModel, o), options);

    private static DlaSession Open(string onnxPath, Func<SessionOptions, InferenceSession> open, InferenceOptions? options)
    {
        options ??= new InferenceOptions();
        var (session, provider, threading) = SessionFactory.Create(onnxPath, open, options);
        try
        {
            if (!session.InputMetadata.ContainsKey(OnnxConventions.Input) || !session.OutputMetadata.TryGetValue(OnnxConventions.Logits, out var logits))
            {
                throw new ModelLoadException($"'{onnxPath}' must have an input named '{OnnxConventions.Input}' and an output named '{OnnxConventions.Logits}'; it has inputs [{string.Join(", ", session.InputMetadata.Keys)}] and outputs [{string.Join(", ", session.OutputMetadata.Keys)}].");
            }
            var classes = logits.Dimensions[^1];
            var embeddingDim = session.OutputMetadata.TryGetValue(OnnxConventions.Embedding, out var embedding) ? embedding.Dimensions[^1] : 0;
            var description = ModelDescription.FromMetadata(session.ModelMetadata.CustomMetadataMap, Path.GetFileNameWithoutExtension(onnxPath), classes, embeddingDim > 0 ? embeddingDim : null);
            return new DlaSession(session, description, provider, threading.Lanes, classes, embeddingDim);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs a batch. <paramref name="input"/> is float32 NCHW [batch, 3, height, width], normalised;
    /// height and width must be multiples of 32. It is read during the call only, so it may be a pooled array's slice.
    /// </summary>
    /// <exception cref="ArgumentException">The input size is not valid for a DLA network.</exception>
    public ModelOutputs Run(Memory<float> input, int batch, int height, int width)
    {
        ValidateInput(input.Length, batch, height, width);
        var logits = new float[batch * Classes];
        var embeddings = HasEmbedding ? new float[batch * EmbeddingDim] : null;
        using var inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input, [batch, 3, height, width]);
        using var logitsValue = OrtValue.CreateTensorValueFromMemory(logits, [batch, Classes]);
        using var embeddingValue = embeddings is null ? null : OrtValue.CreateTensorValueFromMemory(embeddings, [batch, EmbeddingDim]);
        using var binding = _session.CreateIoBinding();
        using var runOptions = new RunOptions();
        binding.BindInput(OnnxConventions.Input, inputValue);
        binding.BindOutput(OnnxConventions.Logits, logitsValue);
        if (embeddingValue is not null)
        {
            binding.BindOutput(OnnxConventions.Embedding, embeddingValue);
        }
        _lanes.Wait();
        try
        {
            binding.SynchronizeBoundInputs();
            _session.RunWithBinding(runOptions, binding);
            binding.SynchronizeBoundOutputs();
        }
        finally
        {
            _lanes.Release();
        }
        return new ModelOutputs(batch, Classes, logits, EmbeddingDim, embeddings);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _session.Dispose();
        _lanes.Dispose();
    }

    private static void ValidateInput(int length, int batch, int height, int width)
    {
        const int m = OnnxConventions.SpatialMultiple;
        if (height <= 0 || width <= 0 || height % m != 0 || width % m != 0)
        {
            throw new ArgumentException($"Input height and width must be positive multiples of {m} (DLA downsamples five times by 2); got {height}×{width}.");
        }
        if (batch <= 0 || (long)batch * 3 * height * width != length)
        {
            throw new ArgumentException($"Input holds {length} floats but [{batch}, 3, {height}, {width}] needs {(long)batch * 3 * height * width}.");
        }
    }
}
