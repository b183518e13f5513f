namespace Dla.Scheduler.Api;

/// <summary>
/// API keys of the job API (configuration section <c>Api</c>), from a secret. Administrator keys,
/// <c>Api:Keys:0</c>, <c>Api:Keys:1</c>, ... (environment <c>Api__Keys__0</c>), see every job. Tenant keys,
/// <c>Api:Tenants:&lt;name&gt;:Keys:0</c>, ..., see only their tenant's jobs (docs/tenants.md). Several keys
/// are accepted at once so a key can be rotated without downtime: add the new one, move the clients,
/// remove the old one.
/// </summary>
public sealed class ApiKeyOptions
{
    public const string Section = "Api";

    /// <summary>Administrator keys. No key at all (neither these nor a tenant's): the API is open (local development), and the scheduler warns at start.</summary>
    public List<string> Keys { get; set; } = [];

    /// <summary>Tenants by name (letters, digits, '-' and '_', at most 64).</summary>
    public Dictionary<string, TenantOptions> Tenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>True when no key is configured at all: every request is an administrator's.</summary>
    public bool IsOpen => Keys.Count == 0 && Tenants.Values.All(t => t.Keys.Count == 0);
}

/// <summary>One tenant of a shared scheduler: its keys and its limits.</summary>
public sealed class TenantOptions
{
    /// <summary>The tenant's keys; a job belongs to the tenant whose key submitted it.</summary>
    public List<string> Keys { get; set; } = [];

    /// <summary>Most jobs the tenant may have pending or running at once; a submission past it is 429. Null: no limit.</summary>
    public int? MaxRunningJobs { get; set; }
}
