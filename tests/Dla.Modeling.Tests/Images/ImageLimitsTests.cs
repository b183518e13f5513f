using Dla.Testing;
using Dla.Modeling.Images;

namespace Dla.Modeling.Tests.Images;

public sealed class ImageLimitsTests
{
    private static readonly ImagePreprocessor Preprocessor = new(PreprocessConfig.ImageNetDefault);

    [Fact]
    public void Tiny_png_declaring_30000_by_30000_pixels_is_refused_before_allocating()
    {
        // A valid header and a few bytes of pixel data: 900 million pixels promised in under 100 bytes.
        var bomb = TestPng.Assemble(TestPng.Header(30_000, 30_000, 8, TestPng.Rgb), TestPng.Compress(new byte[64]));
        Assert.True(bomb.Length < 200);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<ImageDecodeException>(() => Preprocessor.Preprocess(bomb));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ImageErrorKind.TooManyPixels, error.Kind);
        Assert.True(allocated < 1_000_000, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Jpeg_whose_header_declares_30000_by_30000_pixels_is_refused()
    {
        var jpeg = OtherFormatDecodingTests.EncodeJpeg(16, 16);
        var frame = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        // SOF0: marker, length (2), precision (1), then height and width, big-endian.
        byte[] size = [0x75, 0x30, 0x75, 0x30];
        size.CopyTo(jpeg, frame + 5);

        var error = Assert.Throws<ImageDecodeException>(() => Preprocessor.Preprocess(jpeg));

        Assert.Equal(ImageErrorKind.TooManyPixels, error.Kind);
    }

    [Fact]
    public void Pixel_limit_is_configurable()
    {
        var png = TestPng.Encode(20, 10, 8, TestPng.Gray, new byte[200]);
        var strict = new ImagePreprocessor(PreprocessConfig.ImageNetDefault, new ImageDecodeOptions(MaxPixels: 199));

        Assert.Equal(ImageErrorKind.TooManyPixels, Assert.Throws<ImageDecodeException>(() => strict.Preprocess(png)).Kind);
        Assert.Equal(Preprocessor.OutputLength, Preprocessor.Preprocess(png).Length);
    }

    [Fact]
    public void Files_over_the_byte_limit_are_refused_as_too_large()
    {
        var png = TestPng.Encode(20, 10, 8, TestPng.Gray, new byte[200]);
        var strict = new ImagePreprocessor(PreprocessConfig.ImageNetDefault, new ImageDecodeOptions(MaxBytes: png.Length - 1));

        Assert.Equal(ImageErrorKind.TooLarge, Assert.Throws<ImageDecodeException>(() => strict.Preprocess(png)).Kind);
    }

    [Fact]
    public void Png_cut_inside_its_pixel_data_is_truncated()
    {
        var rows = Enumerable.Range(0, 64 * 64 * 3).Select(i => (byte)(i * 31)).ToArray();
        var png = TestPng.Encode(64, 64, 8, TestPng.Rgb, rows);

        var error = Assert.Throws<ImageDecodeException>(() => Preprocessor.Preprocess(png.AsSpan(0, png.Length / 2)));

        Assert.Equal(ImageErrorKind.Truncated, error.Kind);
    }

    [Fact]
    public void Jpeg_cut_after_its_header_is_truncated()
    {
        var jpeg = OtherFormatDecodingTests.EncodeJpeg(64, 64);

        var error = Assert.Throws<ImageDecodeException>(() => Preprocessor.Preprocess(jpeg.AsSpan(0, jpeg.Length - 100)));

        Assert.Equal(ImageErrorKind.Truncated, error.Kind);
    }

    [Theory]
    [InlineData(new byte[] { 0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63 })]
    public void Known_formats_without_a_decoder_are_unsupported(byte[] header)
    {
        Assert.Equal(ImageErrorKind.UnsupportedFormat, Assert.Throws<ImageDecodeException>(() => Preprocessor.Preprocess(header)).Kind);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 })]
    public void Empty_and_random_bytes_are_unreadable(byte[] bytes)
    {
        Assert.Equal(ImageErrorKind.Unreadable, Assert.Throws<ImageDecodeException>(() => Preprocessor.Preprocess(bytes)).Kind);
    }

    [Fact]
    public void Destination_of_the_wrong_length_is_rejected()
    {
        var png = TestPng.Encode(1, 1, 8, TestPng.Gray, [0]);

        Assert.Throws<ArgumentException>(() => Preprocessor.Preprocess(png, new float[10]));
    }
}
