using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Dla.Modeling.Weights;

/// <summary>
/// A model on the Hugging Face Hub, written <c>hf:timm/dla34.in1k</c> or
/// <c>hf:timm/dla34.in1k@revision</c> (a branch, tag or commit; default <c>main</c>).
/// </summary>
/// <remarks>
/// Names are validated the way huggingface_hub validates repo ids (ASCII letters, digits,
/// <c>_ . -</c>, no <c>--</c> or <c>..</c>), which also keeps them safe as cache directory names.
/// </remarks>
public sealed partial record HubWeightsReference
{
    /// <summary>The prefix that marks a hub reference rather than a local path.</summary>
    public const string Prefix = "hf:";

    /// <summary>The revision used when none is given.</summary>
    public const string DefaultRevision = "main";

    /// <summary>Creates a reference after validating both parts.</summary>
    /// <param name="repo">The repository id, e.g. <c>timm/dla34.in1k</c>.</param>
    /// <param name="revision">Branch, tag or commit; null means <see cref="DefaultRevision"/>.</param>
    /// <exception cref="ArgumentException">The repository id or revision is malformed.</exception>
    public HubWeightsReference(string repo, string? revision = null)
    {
        ArgumentNullException.ThrowIfNull(repo);
        if (!RepoId().IsMatch(repo) || repo.Contains("--", StringComparison.Ordinal) || repo.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{repo}' is not a Hugging Face repository id such as 'timm/dla34.in1k'.", nameof(repo));
        }
        revision ??= DefaultRevision;
        if (!RevisionName().IsMatch(revision) || revision.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{revision}' is not a valid revision (a branch, tag or commit such as 'main').", nameof(revision));
        }
        Repo = repo;
        Revision = revision;
    }

    /// <summary>The repository id, e.g. <c>timm/dla34.in1k</c>.</summary>
    public string Repo { get; }

    /// <summary>The branch, tag or commit.</summary>
    public string Revision { get; }

    /// <summary>Whether the text is meant as a hub reference (starts with <c>hf:</c>) rather than a path.</summary>
    public static bool IsHubReference(string value) => value.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Parses <c>hf:owner/name</c> or <c>hf:owner/name@revision</c>.</summary>
    /// <exception cref="FormatException">The text is not a well-formed hub reference.</exception>
    public static HubWeightsReference Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!IsHubReference(value))
        {
            throw new FormatException($"'{value}' is not a hub reference: expected '{Prefix}owner/name' or '{Prefix}owner/name@revision'.");
        }
        var body = value[Prefix.Length..];
        var at = body.IndexOf('@', StringComparison.Ordinal);
        try
        {
            return at < 0 ? new HubWeightsReference(body) : new HubWeightsReference(body[..at], body[(at + 1)..]);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"'{value}' is not a valid hub reference: {ex.Message}", ex);
        }
    }

    /// <summary>Parses a hub reference, returning false instead of throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out HubWeightsReference? reference)
    {
        reference = null;
        if (value is null || !IsHubReference(value))
        {
            return false;
        }
        try
        {
            reference = Parse(value);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The reference in its parseable form, <c>hf:owner/name@revision</c>.</summary>
    public override string ToString() => $"{Prefix}{Repo}@{Revision}";

    [GeneratedRegex(@"^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.\-]{0,94}[A-Za-z0-9_])?/)?[A-Za-z0-9_](?:[A-Za-z0-9_.\-]{0,94}[A-Za-z0-9_])?$")]
    private static partial Regex RepoId();

    // Git ref characters that need no care in URLs or paths; '/' is allowed for refs like refs/pr/1.
    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)*$")]
    private static partial Regex RevisionName();
}
