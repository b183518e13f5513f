using System.Globalization;
using Dla.Integration.Tests.Hosting;

namespace Dla.Integration.Tests.Reliability;

/// <summary>
/// The summary table of the fault scenarios: one row per scenario, rewritten to
/// <c>artifacts/reliability.md</c> (scripts/test.sh prints it) and to the test output as rows arrive.
/// </summary>
internal static class ReliabilityReport
{
    // Ordered by the scenario's number ("2." before "10."), then by name.
    private static readonly SortedDictionary<(int Number, string Name), string> Rows = new();

    public static string FilePath { get; } = Path.Combine(Executables.RepositoryRoot, "artifacts", "reliability.md");

    private const string Header = """
        | scenario | images | results | errors | duplicates | missing | final state | recovery | notes |
        |---|---:|---:|---:|---:|---:|---|---:|---|
        """;

    /// <summary>Records a scenario's row and returns the whole table.</summary>
    public static string Add(string scenario, AuditCounts counts, string finalState, TimeSpan? recovery, string notes)
    {
        var row = string.Create(CultureInfo.InvariantCulture,
            $"| {scenario} | {counts.Images} | {counts.Results} | {counts.Errors} | {counts.Duplicates} | {counts.Missing} | {finalState} | {(recovery is { } r ? $"{r.TotalSeconds:0.0} s" : "–")} | {notes} |");
        string table;
        lock (Rows)
        {
            Rows[(int.TryParse(scenario.Split('.')[0], CultureInfo.InvariantCulture, out var number) ? number : int.MaxValue, scenario)] = row;
            table = Header + "\n" + string.Join('\n', Rows.Values) + "\n";
        }
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        File.WriteAllText(FilePath, table);
        return table;
    }
}
