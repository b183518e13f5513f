using Dla.Modeling.Inference;

namespace Dla.Modeling.Tests.Inference;

/// <summary>
/// <see cref="InferenceThreading"/>: the model alone spins on every core in one call; beside the decoders the cores are
/// split into lanes (threads × lanes ≈ cores, at most <see cref="InferenceThreading.MaxLanes"/>), unless a thread count is given; CUDA runs one call on
/// one CPU thread.
/// </summary>
public sealed class InferenceThreadingTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(2, 1, 2)]
    [InlineData(4, 1, 4)]
    [InlineData(8, 2, 4)]
    [InlineData(16, 4, 4)]
    [InlineData(6, 1, 4)]
    public void Beside_the_decoders_the_cores_are_split_into_lanes(int cores, int threads, int lanes)
    {
        var threading = InferenceThreading.For(new InferenceOptions { SharesCoresWithDecoding = true }, ExecutionProvider.Cpu, cores);

        Assert.Equal(new InferenceThreading(threads, lanes, Spin: false), threading);
    }

    [Theory]
    [InlineData(2, 1)]
    [InlineData(16, 2)]
    [InlineData(4, 8)]
    public void An_explicit_thread_count_is_one_call_of_that_width(int cores, int threads)
    {
        var threading = InferenceThreading.For(new InferenceOptions { SharesCoresWithDecoding = true, IntraOpThreads = threads }, ExecutionProvider.Cpu, cores);

        Assert.Equal(new InferenceThreading(threads, 1, Spin: false), threading);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void The_model_alone_runs_one_spinning_call(int threads)
    {
        var threading = InferenceThreading.For(new InferenceOptions { IntraOpThreads = threads }, ExecutionProvider.Cpu, 16);

        Assert.Equal(new InferenceThreading(threads, 1, Spin: true), threading);
    }

    [Theory]
    [InlineData(false, 0, 1)]
    [InlineData(true, 0, 1)]
    [InlineData(true, 2, 2)]
    public void Cuda_runs_one_call_without_spinning(bool sharesCores, int threads, int expectedThreads)
    {
        var threading = InferenceThreading.For(new InferenceOptions { SharesCoresWithDecoding = sharesCores, IntraOpThreads = threads }, ExecutionProvider.Cuda, 16);

        Assert.Equal(new InferenceThreading(expectedThreads, 1, Spin: false), threading);
    }
}
