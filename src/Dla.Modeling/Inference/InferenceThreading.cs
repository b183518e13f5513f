namespace Dla.Modeling.Inference;

/// <summary>
/// How a session uses the CPU: ONNX Runtime's intra-op threads per call, whether they spin, and how many calls may run
/// at once (<see cref="DlaSession.Lanes"/>).
/// </summary>
/// <remarks>
/// Where images decode on the same cores (a worker, <c>dla predict</c>), the model does not get the cores to itself, so
/// spreading each operator over all of them buys little: every operator of every call then wakes and joins the other
/// threads, and those threads wait on cores the decoders hold. For a model small next to decoding, that
/// synchronisation cost about a tenth of all the CPU of a <c>dla run</c> on 2 cores (the tiny golden model at 32×32:
/// 45.0 s against 40.7 s, and 106,000 against 72,000 context switches, for 10,000 photographs). Instead the cores are
/// split into lanes, each running a whole call on its own threads, as the throughput modes of other inference servers
/// do: a model that is light next to decoding gives its spare lanes to the decoders, and a heavy one fills every lane
/// with batches in flight, as fast as one call on every core (dla34 at 224×224, batch 8, 2 cores: 28 images/s both ways).
/// </remarks>
/// <param name="IntraOpThreads">ONNX Runtime's threads per call; 0 lets it choose (one per physical core).</param>
/// <param name="Lanes">Calls that may run at once.</param>
/// <param name="Spin">Whether idle intra-op threads spin, which only pays when nothing else wants the cores.</param>
internal sealed record InferenceThreading(int IntraOpThreads, int Lanes, bool Spin)
{
    /// <summary>
    /// The most lanes on a large machine: each lane holds a batch's activations, and a pipeline has only a few batches
    /// decoded ahead to give them, so beyond this the lanes get more threads instead of more lanes.
    /// </summary>
    public const int MaxLanes = 4;

    /// <summary>The threading for <paramref name="options"/> on <paramref name="provider"/> with <paramref name="cores"/> cores.</summary>
    public static InferenceThreading For(InferenceOptions options, ExecutionProvider provider, int cores)
    {
        if (provider == ExecutionProvider.Cuda)
        {
            // The graph runs on the device: the few CPU-side kernels (shape ops) gain nothing from a thread pool, and
            // spinning threads would only take cores from the decoders that feed the GPU. The device runs one call at a time.
            return new(options.IntraOpThreads > 0 ? options.IntraOpThreads : 1, 1, Spin: false);
        }
        if (!options.SharesCoresWithDecoding)
        {
            // The model alone (dla bench model): one call on every core, spinning between operators.
            return new(options.IntraOpThreads, 1, Spin: true);
        }
        if (options.IntraOpThreads > 0)
        {
            // A thread count given by hand (a Kubernetes pod sized below its node's cores) is one call of that width.
            return new(options.IntraOpThreads, 1, Spin: false);
        }
        // Lanes × threads per lane ≈ cores.
        var lanes = Math.Clamp(cores, 1, MaxLanes);
        return new(Math.Max(1, cores / lanes), lanes, Spin: false);
    }
}
