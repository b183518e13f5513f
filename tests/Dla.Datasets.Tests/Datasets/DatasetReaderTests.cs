using System.Text;
using Dla.Datasets;
using Microsoft.Extensions.Options;

namespace Dla.Persistence.Tests.Datasets;

/// <summary><see cref="DatasetReader"/> on a local folder: confinement, limits, names.</summary>
public sealed class DatasetReaderTests : IDisposable
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private readonly string _root = Directory.CreateTempSubdirectory("dla-reader-").FullName;
    private readonly string _dataset;
    private readonly string _outside;

    public DatasetReaderTests()
    {
        _dataset = Directory.CreateDirectory(Path.Combine(_root, "dataset")).FullName;
        _outside = Directory.CreateDirectory(Path.Combine(_root, "outside")).FullName;
        File.WriteAllText(Path.Combine(_outside, "secret.jpg"), "secret");
        File.WriteAllText(Path.Combine(_dataset, "cat.jpg"), "cat");
    }

    [Fact]
    public async Task Reads_a_file_below_the_dataset()
    {
        Directory.CreateDirectory(Path.Combine(_dataset, "a", "b"));
        await File.WriteAllTextAsync(Path.Combine(_dataset, "a", "b", "dog.png"), "dog", _ct);
        var reader = Reader();
        Assert.Equal("cat", Encoding.UTF8.GetString(await reader.ReadAsync(Local(), "cat.jpg", _ct)));
        Assert.Equal("dog", Encoding.UTF8.GetString(await reader.ReadAsync(Local(), "a/b/dog.png", _ct)));
        Assert.Equal("dog", Encoding.UTF8.GetString(await reader.ReadAsync(Local(), "a\\b\\dog.png", _ct)));
    }

    [Theory]
    [InlineData("été à la plage.jpg")]
    [InlineData("with spaces/猫 photo (1).jpeg")]
    [InlineData("emoji 🐈.png")]
    public async Task Reads_unicode_and_spaces_in_names(string relativePath)
    {
        var path = Path.Combine(_dataset, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, [1, 2, 3], _ct);
        Assert.Equal([1, 2, 3], await Reader().ReadAsync(Local(), relativePath, _ct));
    }

    [Theory]
    [InlineData("../outside/secret.jpg")]
    [InlineData("a/../../outside/secret.jpg")]
    [InlineData("..\\outside\\secret.jpg")]
    [InlineData("/etc/passwd")]
    [InlineData("\\etc\\passwd")]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("cat.jpg\0.png")]
    public async Task Refuses_paths_that_leave_the_dataset(string relativePath)
    {
        var ex = await Assert.ThrowsAsync<DatasetAccessException>(() => Reader().ReadAsync(Local(), relativePath, _ct));
        Assert.Equal(DatasetReadException.ReadFailed, ex.Kind);
    }

    [Fact]
    public async Task Refuses_symbolic_links_that_point_outside()
    {
        File.CreateSymbolicLink(Path.Combine(_dataset, "link.jpg"), Path.Combine(_outside, "secret.jpg"));
        Directory.CreateSymbolicLink(Path.Combine(_dataset, "linked-folder"), _outside);
        // A link whose target is textually inside the dataset but runs through the folder link.
        File.CreateSymbolicLink(Path.Combine(_dataset, "chained.jpg"), Path.Combine(_dataset, "linked-folder", "secret.jpg"));
        var reader = Reader();
        await Assert.ThrowsAsync<DatasetAccessException>(() => reader.ReadAsync(Local(), "link.jpg", _ct));
        await Assert.ThrowsAsync<DatasetAccessException>(() => reader.ReadAsync(Local(), "linked-folder/secret.jpg", _ct));
        await Assert.ThrowsAsync<DatasetAccessException>(() => reader.ReadAsync(Local(), "chained.jpg", _ct));
    }

    [Fact]
    public async Task Follows_symbolic_links_that_stay_inside()
    {
        File.CreateSymbolicLink(Path.Combine(_dataset, "alias.jpg"), "cat.jpg");
        Assert.Equal("cat", Encoding.UTF8.GetString(await Reader().ReadAsync(Local(), "alias.jpg", _ct)));
    }

    [Fact]
    public async Task Refuses_datasets_outside_the_allowed_roots()
    {
        var reader = Reader(new DatasetOptions { AllowedRoots = [_outside] });
        await Assert.ThrowsAsync<DatasetAccessException>(() => reader.ReadAsync(Local(), "cat.jpg", _ct));
        var allowed = Reader(new DatasetOptions { AllowedRoots = [_root] });
        Assert.Equal("cat", Encoding.UTF8.GetString(await allowed.ReadAsync(Local(), "cat.jpg", _ct)));
    }

    [Fact]
    public async Task No_allowed_roots_means_no_local_folder_may_be_read()
    {
        var ex = await Assert.ThrowsAsync<DatasetAccessException>(() => Reader(new DatasetOptions()).ReadAsync(Local(), "cat.jpg", _ct));
        Assert.Contains("Datasets:AllowedRoots is empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_file_is_a_read_failed_error()
    {
        var ex = await Assert.ThrowsAsync<DatasetReadException>(() => Reader().ReadAsync(Local(), "nope/missing.jpg", _ct));
        Assert.Equal(DatasetReadException.ReadFailed, ex.Kind);
        Assert.IsNotType<DatasetAccessException>(ex);
    }

    [Fact]
    public async Task A_file_over_the_limit_is_a_too_large_error()
    {
        await File.WriteAllBytesAsync(Path.Combine(_dataset, "big.jpg"), new byte[1001], _ct);
        await File.WriteAllBytesAsync(Path.Combine(_dataset, "exact.jpg"), new byte[1000], _ct);
        var reader = Reader(new DatasetOptions { AllowedRoots = [_root], MaxImageBytes = 1000 });
        var ex = await Assert.ThrowsAsync<DatasetReadException>(() => reader.ReadAsync(Local(), "big.jpg", _ct));
        Assert.Equal(DatasetReadException.TooLarge, ex.Kind);
        Assert.Equal(1000, (await reader.ReadAsync(Local(), "exact.jpg", _ct)).Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(300_001)]
    public async Task A_rented_read_holds_exactly_the_files_bytes_and_gives_the_array_back_once(int size)
    {
        var content = new byte[size];
        new Random(size).NextBytes(content);
        await File.WriteAllBytesAsync(Path.Combine(_dataset, "sized.jpg"), content, _ct);

        var bytes = await Reader().ReadRentedAsync(Local(), "sized.jpg", _ct);

        Assert.Equal(content, bytes.Memory.ToArray());
        bytes.Dispose();
        bytes.Dispose();
        Assert.Throws<ObjectDisposedException>(() => bytes.Memory);
    }

    [Fact]
    public async Task A_stream_longer_than_the_room_asked_for_is_read_whole_growing_the_buffer()
    {
        var content = new byte[300_001];
        new Random(7).NextBytes(content);
        using var bytes = new Dla.Common.RentedBytes(1);
        var lengths = new List<long>();

        await bytes.ReadToEndAsync(new MemoryStream(content), lengths.Add, _ct);

        Assert.Equal(content, bytes.Memory.ToArray());
        Assert.Equal(content.Length, lengths[^1]);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private DatasetLocation Local() => DatasetLocation.Parse(_dataset);

    /// <summary>A reader allowed to read below the test's temporary folder unless <paramref name="options"/> say otherwise.</summary>
    private DatasetReader Reader(DatasetOptions? options = null) =>
        new(Options.Create(options ?? new DatasetOptions { AllowedRoots = [_root] }));
}
