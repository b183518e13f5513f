using Dla.Datasets;
using Microsoft.Extensions.Options;

namespace Dla.Persistence.Tests.Datasets;

public sealed class DatasetListerLocalTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dla-lister-").FullName;
    private readonly string _outside = Directory.CreateTempSubdirectory("dla-outside-").FullName;

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }

    [Fact]
    public async Task Folders_are_listed_recursively_in_ordinal_order_with_relative_paths()
    {
        Touch("b.jpg", "a.PNG", "B.jpeg", "notes.txt", "sub/z.webp", "sub/deeper/c.bmp", "sub-2/a.gif", "a/x.jpg");

        var paths = await ListAsync(Lister(), _root);

        // Ordinal: upper case before lower case; each directory sorted as a whole, files and folders alike.
        Assert.Equal(["B.jpeg", "a/x.jpg", "a.PNG", "b.jpg", "sub/deeper/c.bmp", "sub/z.webp", "sub-2/a.gif"], paths);
    }

    [Fact]
    public async Task Listing_twice_gives_the_same_order()
    {
        Touch(Enumerable.Range(0, 200).Select(i => $"d{i % 7}/img{(i * 37) % 200}.jpg").Distinct().ToArray());

        var first = await ListAsync(Lister(), _root);
        var second = await ListAsync(Lister(), _root);

        Assert.Equal(first, second);
        Assert.Equal(first.Count, first.Distinct().Count());
    }

    [Fact]
    public async Task Symlinks_escaping_the_root_are_skipped_and_linked_files_inside_are_kept()
    {
        Touch("real/a.jpg", "real/b.jpg");
        File.WriteAllText(Path.Combine(_outside, "secret.jpg"), "x");
        File.CreateSymbolicLink(Path.Combine(_root, "escape.jpg"), Path.Combine(_outside, "secret.jpg"));
        File.CreateSymbolicLink(Path.Combine(_root, "relative-escape.jpg"), Path.Combine("..", Path.GetFileName(_outside), "secret.jpg"));
        File.CreateSymbolicLink(Path.Combine(_root, "inside.jpg"), Path.Combine(_root, "real", "a.jpg"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "outside-dir"), _outside);
        Directory.CreateSymbolicLink(Path.Combine(_root, "loop"), _root);
        // A file link whose target path passes through a linked folder that leaves the root.
        File.CreateSymbolicLink(Path.Combine(_root, "through-link.jpg"), Path.Combine(_root, "outside-dir", "secret.jpg"));
        File.CreateSymbolicLink(Path.Combine(_root, "dangling.jpg"), Path.Combine(_root, "missing.jpg"));

        var paths = await ListAsync(Lister(), _root);

        Assert.Equal(["inside.jpg", "real/a.jpg", "real/b.jpg"], paths);
    }

    [Fact]
    public async Task A_folder_outside_the_allowed_roots_is_refused()
    {
        Touch("data/a.jpg");
        var lister = Lister(allowedRoots: [Path.Combine(_root, "data")]);

        Assert.Equal(["a.jpg"], await ListAsync(lister, Path.Combine(_root, "data")));
        await Assert.ThrowsAsync<DatasetAccessException>(() => ListAsync(lister, _outside));
        await Assert.ThrowsAsync<DatasetAccessException>(() => ListAsync(lister, Path.Combine(_root, "data", "..")));
        Assert.Throws<DatasetAccessException>(() => lister.EnsureAllowed(DatasetLocation.Parse(_root + "/data-other")));
    }

    [Fact]
    public async Task A_link_to_a_folder_outside_is_refused_as_a_dataset_root()
    {
        Directory.CreateDirectory(Path.Combine(_root, "data"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "data", "elsewhere"), _outside);
        var lister = Lister(allowedRoots: [Path.Combine(_root, "data")]);

        await Assert.ThrowsAsync<DatasetAccessException>(() => ListAsync(lister, Path.Combine(_root, "data", "elsewhere")));
    }

    [Fact]
    public async Task A_missing_folder_is_reported()
    {
        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => ListAsync(Lister(), Path.Combine(_root, "nope")));
    }

    [Fact]
    public void No_allowed_roots_means_no_local_folder_may_be_listed()
    {
        var ex = Assert.Throws<DatasetAccessException>(() => Lister(allowedRoots: []).EnsureAllowed(DatasetLocation.Parse(_root)));
        Assert.Contains("Datasets:AllowedRoots is empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Blob_datasets_need_a_blob_account()
    {
        Assert.Throws<DatasetAccessException>(() => Lister().EnsureAllowed(DatasetLocation.Parse("azure://images/x")));
    }

    [Fact]
    public void Blob_prefixes_name_folders()
    {
        Assert.Equal("2024/", DatasetLister.BlobPrefix(DatasetLocation.Parse("azure://photos/2024")));
        Assert.Equal("2024/", DatasetLister.BlobPrefix(DatasetLocation.Parse("azure://photos/2024/")));
        Assert.Equal("", DatasetLister.BlobPrefix(DatasetLocation.Parse("azure://photos")));
        Assert.Equal("2024/a/b.jpg", DatasetLister.BlobName(DatasetLocation.Parse("azure://photos/2024"), "a/b.jpg"));
    }

    private void Touch(params string[] paths)
    {
        foreach (var path in paths)
        {
            var full = Path.Combine(_root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, "x");
        }
    }

    private DatasetLister Lister(List<string>? allowedRoots = null) =>
        new(Options.Create(new DatasetOptions { AllowedRoots = allowedRoots ?? [_root] }));

    private static async Task<List<string>> ListAsync(DatasetLister lister, string folder)
    {
        var paths = new List<string>();
        await foreach (var path in lister.ListAsync(DatasetLocation.Parse(folder), TestContext.Current.CancellationToken))
        {
            paths.Add(path);
        }
        return paths;
    }
}
