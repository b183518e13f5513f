using Dla.Contracts;
using Dla.Modeling.Inference;
using Dla.Worker.Inference;

namespace Dla.Worker.Tests.Inference;

public sealed class ModelSessionsTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Concurrent_first_calls_share_one_session_and_tasks_do_not_split_it()
    {
        var spec = new ModelSpec(GoldenData.RequirePath("models", "tiny_basic", "case.json"), GoldenData.RequirePath("models", "tiny_basic", "weights.safetensors"),
            0, null, "fp32", JobTasks.Classify, 5);
        using var sessions = Create();

        var all = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => sessions.GetAsync(spec, _ct)));
        var embeddingOnly = await sessions.GetAsync(spec with { Tasks = JobTasks.Embed, TopK = 1 }, _ct);

        Assert.All(all, session => Assert.Same(all[0], session));
        Assert.Same(all[0], embeddingOnly);
    }

    [Fact]
    public async Task A_model_that_cannot_load_fails_every_call_that_asks_for_it()
    {
        var spec = new ModelSpec("dla34", "/nonexistent/weights.safetensors", 0, null, "fp32", JobTasks.Classify, 5);
        using var sessions = Create();

        await Assert.ThrowsAsync<ModelLoadException>(() => sessions.GetAsync(spec, _ct));
        await Assert.ThrowsAsync<ModelLoadException>(() => sessions.GetAsync(spec, _ct));
    }

    private static ModelSessions Create() => TestSessions.Create();
}
