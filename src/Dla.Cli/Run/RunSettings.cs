namespace Dla.Cli.Run;

/// <summary>Everything <c>dla run</c> was asked for.</summary>
internal sealed record RunSettings(
    string Dataset,
    string Model,
    string? Weights,
    int Seed,
    int? NumClasses,
    string Precision,
    IReadOnlyList<string> Tasks,
    int TopK,
    int BatchSize,
    int Priority,
    string Database,
    string? Export,
    string Provider,
    int Threads,
    int? MaxFailedImages,
    double? MaxFailedPercent,
    bool Verbose,
    string? Labels = null,
    string Decode = "exact",
    string EmbeddingPrecision = "fp32");
