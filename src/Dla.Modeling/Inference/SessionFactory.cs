using Microsoft.ML.OnnxRuntime;

namespace Dla.Modeling.Inference;

/// <summary>Creates ONNX Runtime sessions with the requested provider, falling back from CUDA to CPU.</summary>
internal static class SessionFactory
{
    public static (InferenceSession Session, ExecutionProvider Provider, InferenceThreading Threading) Create(string label, Func<SessionOptions, InferenceSession> open, InferenceOptions options)
    {
        if (options.Provider == ExecutionProvider.Cuda)
        {
            var cuda = InferenceThreading.For(options, ExecutionProvider.Cuda, Environment.ProcessorCount);
            try
            {
                using var cudaOptions = BaseOptions(cuda);
                cudaOptions.AppendExecutionProvider_CUDA(options.DeviceId);
                return (open(cudaOptions), ExecutionProvider.Cuda, cuda);
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or TypeInitializationException)
            {
                // The CPU build has no CUDA entry point, and the GPU build throws without a driver or device.
                options.Warn($"CUDA execution provider unavailable ({ex.Message.Split('\n')[0]}); running on the CPU.");
            }
        }
        var cpu = InferenceThreading.For(options, ExecutionProvider.Cpu, Environment.ProcessorCount);
        using var cpuOptions = BaseOptions(cpu);
        try
        {
            return (open(cpuOptions), ExecutionProvider.Cpu, cpu);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException($"ONNX Runtime cannot load '{label}': {ex.Message}", ex);
        }
    }

    private static SessionOptions BaseOptions(InferenceThreading threading)
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threading.IntraOpThreads,
        };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", threading.Spin ? "1" : "0");
        sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", threading.Spin ? "1" : "0");
        return sessionOptions;
    }
}
