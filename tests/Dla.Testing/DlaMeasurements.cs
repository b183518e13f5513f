using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Dla.Testing;

/// <summary>
/// Records the measurements of one host's "Dla" instruments: only those created by its own container's
/// <see cref="IMeterFactory"/>, so hosts of tests running in parallel in this process never mix in.
/// </summary>
public sealed class DlaMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();

    /// <param name="factory">The host's meter factory (<c>services.GetRequiredService&lt;IMeterFactory&gt;()</c>).</param>
    public DlaMeasurements(IMeterFactory factory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Dla" && instrument.Meter.Scope == factory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The sum of <paramref name="instrument"/>'s measurements whose tags include <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, object? Value)[] tags) => Matching(instrument, tags).Sum();

    /// <summary>How many measurements of <paramref name="instrument"/> carry <paramref name="tags"/> (for histograms: the count).</summary>
    public int Count(string instrument, params (string Key, object? Value)[] tags) => Matching(instrument, tags).Count();

    /// <summary>The latest measurement of <paramref name="instrument"/> carrying <paramref name="tags"/> (for gauges, after <see cref="Observe"/>).</summary>
    public double Last(string instrument, params (string Key, object? Value)[] tags) => Matching(instrument, tags).Last();

    /// <summary>Reads the observable instruments now.</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public void Dispose() => _listener.Dispose();

    private IEnumerable<double> Matching(string instrument, (string Key, object? Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument && tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value))).Select(m => m.Value);

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }
        _measurements.Enqueue((instrument.Name, value, copy));
    }
}
