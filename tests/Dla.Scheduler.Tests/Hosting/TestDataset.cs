using Dla.Testing;
namespace Dla.Scheduler.Tests.Hosting;

/// <summary>A temporary folder of image files (contents irrelevant: the scheduler never reads pixels) and a SQLite file beside it.</summary>
public sealed class TestDataset : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dla-scheduler-").FullName;

    public TestDataset(int images, int folders = 3)
    {
        Root = Path.Combine(_directory, "images");
        for (var i = 0; i < images; i++)
        {
            Add($"f{i % folders}/img-{i:D5}.jpg");
        }
        // Not an image: never listed.
        Add("f0/readme.txt");
    }

    /// <summary>The dataset folder.</summary>
    public string Root { get; }

    /// <summary>A fresh SQLite database file for one scheduler.</summary>
    public string SqliteFile { get; } = Path.Combine(Path.GetTempPath(), $"dla-scheduler-{Guid.NewGuid():N}.db");

    /// <summary>Image paths in listing order (ordinal per directory).</summary>
    public IReadOnlyList<string> ListingOrder => Directory.EnumerateFiles(Root, "*.jpg", SearchOption.AllDirectories)
        .Select(p => Path.GetRelativePath(Root, p).Replace('\\', '/'))
        .OrderBy(p => p.Split('/')[0], StringComparer.Ordinal).ThenBy(p => p, StringComparer.Ordinal).ToList();

    public void Add(string relativePath)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "not really an image");
    }

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        SqliteFiles.Delete(SqliteFile);
    }
}
