using System.Collections.Concurrent;
using Dla.Contracts;
using Dla.Modeling.Inference;
using Dla.Modeling.Models;
using Dla.Modeling.Onnx;
using Dla.ServiceDefaults.Telemetry;
using Microsoft.Extensions.Options;

namespace Dla.Worker.Inference;

/// <summary>
/// One <see cref="DlaSession"/> per model, created on first use and shared by every batch of every
/// job that asks for it; the container disposes them. Keyed by what determines the graph (model,
/// weights, seed, classes, precision), so jobs differing only in tasks or top-k share a session.
/// </summary>
public sealed partial class ModelSessions(ModelRepository models, PinnedModelFiles pins, IOptions<WorkerOptions> options, ILogger<ModelSessions> logger) : IDisposable
{
    private readonly ConcurrentDictionary<ModelRequest, Lazy<Task<DlaSession>>> _sessions = new();

    /// <summary>
    /// The session for <paramref name="spec"/>, building the graph and opening it on first use. Its model files
    /// are checked against the job's pin first, on every call (<see cref="PinnedModelFiles"/>); a blob's local
    /// copy is named by its content hash, so another content never reuses this content's session.
    /// </summary>
    /// <exception cref="ModelLoadException">The model or its weights cannot be resolved.</exception>
    /// <exception cref="WeightsChangedException">A model file no longer has the pinned content.</exception>
    public async Task<DlaSession> GetAsync(ModelSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (model, weights) = await pins.LocalizeAsync(spec, cancellationToken);
        return await GetAsync(new ModelRequest(model, weights, spec.Seed, spec.NumClasses, Enum.Parse<OnnxPrecision>(spec.Precision, ignoreCase: true)), cancellationToken);
    }

    /// <summary>The session for <paramref name="request"/>, building the graph and opening it on first use.</summary>
    /// <exception cref="ModelLoadException">The model or its weights cannot be resolved.</exception>
    public async Task<DlaSession> GetAsync(ModelRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Lazy makes concurrent first calls share one creation; Task.Run keeps graph building off the caller's lock.
        var entry = _sessions.GetOrAdd(request, r => new Lazy<Task<DlaSession>>(() => Task.Run(() => OpenAsync(r))));
        try
        {
            return await entry.Value.WaitAsync(cancellationToken);
        }
        catch when (entry.Value.IsFaulted)
        {
            // Forget the failure so a later batch tries again (the hub may be back).
            _sessions.TryRemove(KeyValuePair.Create(request, entry));
            throw;
        }
    }

    /// <summary>The sessions open now (those still loading or that failed are left out).</summary>
    public IEnumerable<DlaSession> Opened =>
        _sessions.Values.Where(e => e.IsValueCreated && e.Value.IsCompletedSuccessfully).Select(e => e.Value.Result);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var entry in _sessions.Values)
        {
            if (entry.IsValueCreated && entry.Value.IsCompletedSuccessfully)
            {
                entry.Value.Result.Dispose();
            }
        }
        _sessions.Clear();
    }

    // Not cancellable by one batch: other batches may be waiting for the same session.
    private async Task<DlaSession> OpenAsync(ModelRequest request)
    {
        using var activity = DlaTelemetry.ActivitySource.StartActivity("load model");
        activity?.SetTag("dla.model", request.Model);
        DlaSession session;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan resolved;
        try
        {
            var path = await models.ResolveAsync(request, CancellationToken.None);
            resolved = clock.Elapsed;
            var worker = options.Value;
            session = DlaSession.Open(path, new InferenceOptions
            {
                Provider = Enum.Parse<ExecutionProvider>(worker.Provider, ignoreCase: true),
                IntraOpThreads = worker.IntraOpThreads,
                SharesCoresWithDecoding = true,
                Warn = message => LogRuntimeWarning(logger, message),
            });
        }
        catch (Exception ex)
        {
            DlaTelemetry.Failed(activity, ex);
            throw;
        }
        activity?.SetTag("dla.execution_provider", session.Provider.ToString().ToLowerInvariant());
        LogOpened(logger, session.Description.Name, session.Provider, session.Classes, session.EmbeddingDim, session.Description.Untrained,
            clock.Elapsed.TotalSeconds, resolved.TotalSeconds);
        return session;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Opened model {Model} on {Provider}: {Classes} classes, embedding size {EmbeddingDim}, untrained {Untrained}, in {Seconds:F2} s ({ResolveSeconds:F2} s finding or building the graph)")]
    private static partial void LogOpened(ILogger logger, string model, ExecutionProvider provider, int classes, int embeddingDim, bool untrained, double seconds, double resolveSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ONNX Runtime: {Warning}")]
    private static partial void LogRuntimeWarning(ILogger logger, string warning);
}
