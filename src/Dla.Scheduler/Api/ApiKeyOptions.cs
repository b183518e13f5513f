namespace Dla.Scheduler.Api;

/// <summary>
/// API keys of the job API (configuration section <c>Api</c>): <c>Api:Keys:0</c>, <c>Api:Keys:1</c>, ...
/// (environment <c>Api__Keys__0</c>), from a secret. Several keys are accepted at once so a key can be
/// rotated without downtime: add the new one, move the clients, remove the old one.
/// </summary>
public sealed class ApiKeyOptions
{
    public const string Section = "Api";

    /// <summary>Accepted keys. Empty: the API is open (local development), and the scheduler warns at start.</summary>
    public List<string> Keys { get; set; } = [];
}
