using Dla.Datasets.ModelFiles;
using Dla.Modeling.Models;
using Dla.Modeling.Weights;
using Dla.Worker.Inference;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Dla.Worker.Tests.Inference;

/// <summary>Model sessions as the worker builds them (default cache, no blob account), for tests that run batches in process.</summary>
internal static class TestSessions
{
    public static ModelSessions Create()
    {
        var hub = new HuggingFaceHub();
        return new ModelSessions(new ModelRepository(hub), new PinnedModelFiles(new ModelBlobStore(null), hub), Options.Create(new WorkerOptions()), NullLogger<ModelSessions>.Instance);
    }
}
