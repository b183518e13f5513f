using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Dla.Worker.Inference;

/// <summary>
/// Part of readiness: healthy once <see cref="WorkerOptions.PreloadModel"/> is loaded, or at once when no
/// model is preloaded (the data says so). Unhealthy while loading, or with the reason the load failed.
/// </summary>
internal sealed class ModelReadinessCheck(ModelPreload preload) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = preload.State;
        var result = state switch
        {
            { Request: null } => HealthCheckResult.Healthy("No model preloaded (Worker:PreloadModel is not set): models load on the first batch that needs them.",
                new Dictionary<string, object> { ["preloaded"] = false }),
            { Session: { } session } => HealthCheckResult.Healthy($"Model {state.Request.Model} is loaded on {session.Provider.ToString().ToLowerInvariant()}.",
                new Dictionary<string, object>
                {
                    ["preloaded"] = true,
                    ["model"] = session.Description.Name,
                    ["provider"] = session.Provider.ToString().ToLowerInvariant(),
                    ["classes"] = session.Classes,
                    ["embedding_dim"] = session.EmbeddingDim,
                }),
            { Error: { } error } => HealthCheckResult.Unhealthy($"Preloading model {state.Request.Model} failed: {error}"),
            _ => HealthCheckResult.Unhealthy($"Loading model {state.Request.Model}."),
        };
        return Task.FromResult(result);
    }
}
