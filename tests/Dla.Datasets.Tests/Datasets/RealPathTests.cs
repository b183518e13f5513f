using Dla.Datasets;

namespace Dla.Persistence.Tests.Datasets;

/// <summary><see cref="RealPath.ResolveBelow"/>, the per-image resolution below a dataset's root, agrees with resolving the whole path.</summary>
public sealed class RealPathTests : IDisposable
{
    private readonly string _top = Directory.CreateTempSubdirectory("dla-realpath-").FullName;
    private readonly string _root;

    public RealPathTests()
    {
        _root = Directory.CreateDirectory(Path.Combine(_top, "dataset")).FullName;
        var inside = Directory.CreateDirectory(Path.Combine(_root, "a")).FullName;
        var outside = Directory.CreateDirectory(Path.Combine(_top, "outside")).FullName;
        File.WriteAllText(Path.Combine(inside, "x.jpg"), "x");
        File.WriteAllText(Path.Combine(outside, "secret.jpg"), "secret");
        File.CreateSymbolicLink(Path.Combine(_root, "relative"), "a");
        File.CreateSymbolicLink(Path.Combine(_root, "absolute"), inside);
        File.CreateSymbolicLink(Path.Combine(_root, "chain"), "relative");
        File.CreateSymbolicLink(Path.Combine(_root, "out"), "../outside");
        File.CreateSymbolicLink(Path.Combine(inside, "file link.jpg"), "x.jpg");
        File.CreateSymbolicLink(Path.Combine(_root, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Combine(_root, "loop2"), "loop1");
    }

    public void Dispose() => Directory.Delete(_top, recursive: true);

    [Theory]
    [InlineData("a/x.jpg")]
    [InlineData("relative/x.jpg")]
    [InlineData("absolute/x.jpg")]
    [InlineData("chain/file link.jpg")]
    [InlineData("out/secret.jpg")]
    [InlineData("./a//x.jpg")]
    [InlineData("missing/y.jpg")]
    public void Resolving_below_the_root_gives_what_resolving_the_whole_path_gives(string relativePath)
    {
        var root = RealPath.Resolve(_root);

        Assert.Equal(RealPath.Resolve(Path.Combine(_root, relativePath)), RealPath.ResolveBelow(root, relativePath));
    }

    [Fact]
    public void Loops_and_parent_segments_are_refused()
    {
        var root = RealPath.Resolve(_root);

        Assert.Throws<IOException>(() => RealPath.ResolveBelow(root, "loop1/x.jpg"));
        Assert.Throws<ArgumentException>(() => RealPath.ResolveBelow(root, "a/../../outside/secret.jpg"));
        Assert.EndsWith("/outside/secret.jpg", RealPath.ResolveBelow(root, "out/secret.jpg"), StringComparison.Ordinal);
        Assert.Equal(Path.Combine(root, "a", "x.jpg"), RealPath.ResolveBelow(root, "chain/file link.jpg"));
    }
}
