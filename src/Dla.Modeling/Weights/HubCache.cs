using System.Security.Cryptography;

namespace Dla.Modeling.Weights;

/// <summary>
/// The on-disk cache of downloaded weights. Each file has a sidecar <c>&lt;file&gt;.sha256</c> in
/// <c>sha256sum</c> format written before the file is moved into place, so a file without a
/// matching sidecar is either half-committed or corrupted and is downloaded again.
/// </summary>
internal static class HubCache
{
    private const string SidecarExtension = ".sha256";

    /// <summary>The cache root when none is configured: <c>$DLA_CACHE_DIR</c>, <c>$XDG_CACHE_HOME/dla</c> or <c>~/.cache/dla</c>.</summary>
    public static string DefaultRoot()
    {
        if (NonEmpty(HubWeightsOptions.CacheDirectoryVariable) is { } explicitRoot)
        {
            return explicitRoot;
        }
        if (NonEmpty("XDG_CACHE_HOME") is { } xdg)
        {
            return Path.Combine(xdg, "dla");
        }
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "dla");
    }

    /// <summary>
    /// Where a file of a reference lives: <c>hub/&lt;owner&gt;--&lt;name&gt;/&lt;revision&gt;/&lt;file&gt;</c>.
    /// '--' cannot occur in repo ids, and the revision is percent-escaped (refs/pr/1 becomes one directory).
    /// </summary>
    public static string PathFor(string root, HubWeightsReference reference, string fileName) =>
        Path.Combine(root, "hub", reference.Repo.Replace("/", "--", StringComparison.Ordinal), Uri.EscapeDataString(reference.Revision), fileName);

    /// <summary>
    /// Whether the cached file exists and hashes to its sidecar. A file that does not is deleted
    /// (with its sidecar) so the caller downloads it again.
    /// </summary>
    public static async Task<bool> TryReuseAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return false;
        }
        var expected = await ReadSidecarAsync(path + SidecarExtension, cancellationToken);
        if (expected is not null && expected == await HashFileAsync(path, cancellationToken))
        {
            return true;
        }
        TryDelete(path);
        TryDelete(path + SidecarExtension);
        return false;
    }

    /// <summary>Moves a verified temp file into place, writing its sidecar first.</summary>
    public static void Commit(string tempPath, string path, string sha256)
    {
        var sidecarTemp = tempPath + SidecarExtension;
        File.WriteAllText(sidecarTemp, $"{sha256}  {Path.GetFileName(path)}\n");
        File.Move(sidecarTemp, path + SidecarExtension, overwrite: true);
        File.Move(tempPath, path, overwrite: true);
    }

    /// <summary>A unique temp file beside the target, so the final rename stays on one file system.</summary>
    public static string TempPathFor(string path) => $"{path}.{Guid.NewGuid():N}.tmp";

    /// <summary>Deletes a file if it exists, ignoring failures (used on cleanup paths only).</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    private static async Task<string?> ReadSidecarAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        var text = await File.ReadAllTextAsync(path, cancellationToken);
        return text.Length >= 64 && HubChecksums.IsSha256(text[..64]) ? text[..64].ToLowerInvariant() : null;
    }

    private static string? NonEmpty(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;
}
