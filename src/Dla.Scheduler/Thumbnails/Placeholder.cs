using System.Security.Cryptography;
using System.Text;

namespace Dla.Scheduler.Thumbnails;

/// <summary>The image shown where a file has no preview: a grey square naming the reason, never a broken image.</summary>
internal static class Placeholder
{
    public static Thumbnail For(string problem, int size)
    {
        // The problem is one of the fixed error kinds (letters and '_'), never a message: nothing to escape.
        var svg = $"""
            <svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 100 100" role="img" aria-label="No preview: {problem}">
            <rect width="100" height="100" fill="#e4e7eb"/>
            <path d="M30 66 L44 48 L54 60 L62 52 L72 66 Z" fill="#9aa5b1"/><circle cx="62" cy="38" r="5" fill="#9aa5b1"/>
            <text x="50" y="84" font-family="sans-serif" font-size="8" text-anchor="middle" fill="#3e4c59">{problem.Replace('_', ' ')}</text>
            </svg>
            """;
        var bytes = Encoding.UTF8.GetBytes(svg);
        return new Thumbnail(bytes, "image/svg+xml", $"\"p-{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"", problem);
    }
}
