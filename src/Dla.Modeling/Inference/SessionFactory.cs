using Microsoft.ML.OnnxRuntime;

namespace Dla.Modeling.Inference;

/// <summary>Creates ONNX Runtime sessions with the requested provider, falling back from CUDA to CPU.</summary>
internal static class SessionFactory
{
    public static (InferenceSession Session, ExecutionProvider Provider) Create(string label, Func<SessionOptions, InferenceSession> open, InferenceOptions options)
    {
        if (options.Provider == ExecutionProvider.Cuda)
        {
            try
            {
                using var cudaOptions = BaseOptions(options, ExecutionProvider.Cuda);
                cudaOptions.AppendExecutionProvider_CUDA(options.DeviceId);
                return (open(cudaOptions), ExecutionProvider.Cuda);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or TypeInitializationException)
            {
                // The CPU build has no CUDA entry point, and the GPU build throws without a driver or device.
                options.Warn($"CUDA execution provider unavailable ({ex.Message.Split('\n')[0]}); running on the CPU.");
            }
        }
        using var cpuOptions = BaseOptions(options, ExecutionProvider.Cpu);
        try
        {
            return (open(cpuOptions), ExecutionProvider.Cpu);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException($"ONNX Runtime cannot load '{label}': {ex.Message}", ex);
        }
    }

    private static SessionOptions BaseOptions(InferenceOptions options, ExecutionProvider provider)
    {
        // On CUDA the graph runs on the device: the few CPU-side kernels (shape ops) gain nothing from a thread
        // pool, and spinning threads would only take cores from the decoders that feed the GPU.
        var cuda = provider == ExecutionProvider.Cuda;
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.IntraOpThreads > 0 || !cuda ? options.IntraOpThreads : 1,
        };
        var spin = !cuda && !options.SharesCoresWithDecoding;
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", spin ? "1" : "0");
        sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", spin ? "1" : "0");
        return sessionOptions;
    }
}
