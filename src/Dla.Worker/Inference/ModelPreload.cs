using Dla.Modeling.Inference;
using Dla.Modeling.Models;
using Microsoft.Extensions.Options;

namespace Dla.Worker.Inference;

/// <summary>
/// Loads <see cref="WorkerOptions.PreloadModel"/> into <see cref="ModelSessions"/> at start-up, so the first
/// batch does not pay for the download and graph build and the readiness probe can hold traffic (and KEDA's
/// count of ready workers) until the model is there. A failed load is retried with backoff, since weights
/// may come from a hub or volume that is not reachable yet; <see cref="State"/> says why it is not loaded.
/// </summary>
public sealed partial class ModelPreload(ModelSessions sessions, IOptions<WorkerOptions> options, ILogger<ModelPreload> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMinutes(5);

    private volatile PreloadState _state = Initial(options.Value);

    /// <summary>Where preloading stands.</summary>
    public PreloadState State => _state;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_state.Request is not { } request)
        {
            return;
        }
        var delay = FirstRetry;
        while (true)
        {
            try
            {
                var session = await sessions.GetAsync(request, stoppingToken);
                _state = _state with { Session = session, Error = null };
                LogPreloaded(request.Model, session.Provider);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _state = _state with { Error = $"{ex.Message} (retrying in {delay.TotalSeconds:0} s)" };
                LogPreloadFailed(ex, request.Model, delay.TotalSeconds);
            }
            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetry.Ticks));
        }
    }

    private static PreloadState Initial(WorkerOptions worker) => new(
        string.IsNullOrWhiteSpace(worker.PreloadModel) ? null : new ModelRequest(worker.PreloadModel, string.IsNullOrWhiteSpace(worker.PreloadWeights) ? null : worker.PreloadWeights),
        null, null);

    [LoggerMessage(Level = LogLevel.Information, Message = "Preloaded model {Model} on {Provider}")]
    private partial void LogPreloaded(string model, ExecutionProvider provider);

    [LoggerMessage(Level = LogLevel.Error, Message = "Preloading model {Model} failed; retrying in {Seconds} s")]
    private partial void LogPreloadFailed(Exception exception, string model, double seconds);
}

/// <summary>Where preloading stands.</summary>
/// <param name="Request">The model to preload; null when none is configured.</param>
/// <param name="Session">The loaded session; null until loaded.</param>
/// <param name="Error">Why the last attempt failed; null when none failed (or it has loaded since).</param>
public sealed record PreloadState(ModelRequest? Request, DlaSession? Session, string? Error);
