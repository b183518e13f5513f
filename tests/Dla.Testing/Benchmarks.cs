using Xunit;

namespace Dla.Testing;

/// <summary>
/// Gated benchmarks: tests that take minutes or measure time run only with <c>DLA_BENCH=1</c>, never in every CI run,
/// and take their size from <c>DLA_BENCH_ROWS</c>.
/// </summary>
public static class Benchmarks
{
    /// <summary>Skips the calling test unless <c>DLA_BENCH=1</c>.</summary>
    public static void SkipUnlessEnabled() =>
        Assert.SkipUnless(Environment.GetEnvironmentVariable("DLA_BENCH") == "1", "A benchmark: run with DLA_BENCH=1.");

    /// <summary><c>DLA_BENCH_ROWS</c>, or <paramref name="otherwise"/> when it is not set.</summary>
    public static int Rows(int otherwise) =>
        int.TryParse(Environment.GetEnvironmentVariable("DLA_BENCH_ROWS"), out var rows) ? rows : otherwise;
}
