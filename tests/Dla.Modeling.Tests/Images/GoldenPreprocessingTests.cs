using Dla.Modeling.Images;

namespace Dla.Modeling.Tests.Images;

public sealed class GoldenPreprocessingTests(ITestOutputHelper output)
{
    private const double MeanBound = 0.003;
    private const double MaxBound = 0.05;

    [Fact]
    public void Golden_images_match_timm_within_bounds()
    {
        var golden = GoldenImages.Require();
        var preprocessor = new ImagePreprocessor(PreprocessConfig.ImageNetDefault);
        var failures = new List<string>();
        foreach (var name in golden.Readable)
        {
            var (mean, max) = GoldenImages.Diff(preprocessor.Preprocess(golden.Bytes(name)), golden.Expected(name));
            output.WriteLine($"{name,-28} mean |Δ| {mean:E2}  max |Δ| {max:E2}");
            if (mean > MeanBound || max > MaxBound)
                failures.Add(name);
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void Fast_mode_stays_close_to_exact_on_golden_images()
    {
        var golden = GoldenImages.Require();
        var exact = new ImagePreprocessor(PreprocessConfig.ImageNetDefault);
        var fast = new ImagePreprocessor(PreprocessConfig.ImageNetDefault, new ImageDecodeOptions(Mode: DecodeMode.Fast));
        foreach (var name in golden.Readable)
        {
            var bytes = golden.Bytes(name);
            var (mean, max) = GoldenImages.Diff(fast.Preprocess(bytes), exact.Preprocess(bytes));
            output.WriteLine($"{name,-28} fast vs exact: mean |Δ| {mean:E2}  max |Δ| {max:E2}");
            // DCT scaling changes pixels, not content: a loose bound catches geometry mistakes.
            Assert.True(mean < 0.1, $"{name}: mean drift {mean}");
        }
    }

    [Fact]
    public void Parallel_calls_give_the_same_tensors_as_sequential_calls()
    {
        var golden = GoldenImages.Require();
        var preprocessor = new ImagePreprocessor(PreprocessConfig.ImageNetDefault);
        var names = Enumerable.Repeat(golden.Readable, 4).SelectMany(n => n).ToArray();
        var batch = new float[names.Length * preprocessor.OutputLength];

        Parallel.For(0, names.Length, i =>
            preprocessor.Preprocess(golden.Bytes(names[i]), batch.AsSpan(i * preprocessor.OutputLength, preprocessor.OutputLength)));

        for (var i = 0; i < names.Length; i++)
            Assert.Equal(golden.Expected(names[i]), batch.AsSpan(i * preprocessor.OutputLength, preprocessor.OutputLength).ToArray());
    }

    [Theory]
    [InlineData("bad-empty.jpg", ImageErrorKind.Unreadable)]
    [InlineData("bad-not-an-image.jpg", ImageErrorKind.Unreadable)]
    [InlineData("bad-truncated.jpg", ImageErrorKind.Truncated)]
    public void Unreadable_golden_files_raise_typed_errors(string name, ImageErrorKind kind)
    {
        var golden = GoldenImages.Require();
        var preprocessor = new ImagePreprocessor(PreprocessConfig.ImageNetDefault);

        var error = Assert.Throws<ImageDecodeException>(() => preprocessor.Preprocess(golden.Bytes(name)));

        output.WriteLine(error.Message);
        Assert.Equal(kind, error.Kind);
    }
}
