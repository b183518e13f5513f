namespace Dla.Modeling.Weights;

/// <summary>
/// Reads the SHA-256 the hub announces for an LFS file. The hub sends it as <c>X-Linked-ETag</c>
/// on the response that redirects to its CDN, and as <c>ETag</c> when it serves the file itself;
/// for files kept in git the ETag is a 40-hex blob id, which is not a SHA-256 and is ignored.
/// </summary>
internal static class HubChecksums
{
    /// <summary>Whether the text is exactly 64 hexadecimal digits.</summary>
    public static bool IsSha256(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigit);

    /// <summary>The lowercase SHA-256 in <c>X-Linked-ETag</c>, else in <c>ETag</c>, else null.</summary>
    public static string? Announced(HttpResponseMessage response) =>
        FromHeader(response, "X-Linked-ETag") ?? FromHeader(response, "ETag");

    private static string? FromHeader(HttpResponseMessage response, string name)
    {
        if (!response.Headers.TryGetValues(name, out var values))
        {
            return null;
        }
        foreach (var raw in values)
        {
            // Entity tags are quoted and may be weak ("W/\"...\""); the digest is what is inside.
            var value = raw.Trim();
            if (value.StartsWith("W/", StringComparison.Ordinal))
            {
                value = value[2..];
            }
            value = value.Trim('"');
            if (IsSha256(value))
            {
                return value.ToLowerInvariant();
            }
        }
        return null;
    }
}
