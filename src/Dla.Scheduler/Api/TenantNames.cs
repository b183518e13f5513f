using System.Text.RegularExpressions;
using Dla.Persistence.Jobs;

namespace Dla.Scheduler.Api;

/// <summary>What a tenant may be called: it is stored on every job it submits and appears in logs.</summary>
public static partial class TenantNames
{
    public static readonly string Rule = $"letters, digits, '-' and '_', starting with a letter or digit, at most {Job.MaxTenantLength} characters.";

    public static bool IsValid(string name) => Pattern().IsMatch(name);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    private static partial Regex Pattern();
}
