using System.Runtime.InteropServices;

namespace Dla.Persistence.Datasets;

/// <summary>
/// Canonical paths with every symbolic link resolved, in every component (POSIX <c>realpath</c>).
/// .NET's <see cref="FileSystemInfo.ResolveLinkTarget"/> resolves only the last component, which
/// would let <c>root/linked-dir/file</c> pass for a path under <c>root</c> while it lies elsewhere.
/// </summary>
internal static class RealPath
{
    /// <summary>The canonical path of an existing file or folder, or null when it does not exist (a dangling link).</summary>
    public static string? Of(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // No per-component resolution here; the final target is the best available answer.
            FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
            var target = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true);
            return target is { Exists: true } ? target.FullName : null;
        }
        var resolved = realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            free(resolved);
        }
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or lies below it (both canonical).</summary>
    public static bool IsUnder(string path, string root)
    {
        var trimmed = root.TrimEnd(Path.DirectorySeparatorChar);
        return path.Equals(trimmed, StringComparison.Ordinal)
            || path.StartsWith(trimmed + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || trimmed.Length == 0;
    }

    [DllImport("libc", EntryPoint = "realpath")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern IntPtr realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern void free(IntPtr pointer);
}
