using System.Diagnostics;

namespace Dla.ServiceDefaults.Telemetry;

/// <summary>
/// The names Dla's own telemetry is published under: one <c>Meter</c> (created per container through
/// <c>IMeterFactory</c>, so every host and test has its own instruments) and one <see cref="ActivitySource"/>.
/// docs/observability.md lists every instrument and span.
/// </summary>
public static class DlaTelemetry
{
    /// <summary>The meter and the activity source.</summary>
    public const string Name = "Dla";

    /// <summary>Spans of Dla's own work (dispatch, prediction, result writing, model loading).</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    /// <summary>Marks <paramref name="activity"/> (when sampled) as failed with <paramref name="exception"/>, the OpenTelemetry way.</summary>
    public static void Failed(Activity? activity, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        activity?.AddException(exception);
        activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
    }
}
