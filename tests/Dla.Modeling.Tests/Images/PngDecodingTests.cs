using Dla.Testing;
namespace Dla.Modeling.Tests.Images;

public sealed class PngDecodingTests
{
    [Fact]
    public void Rgba_drops_alpha_without_compositing_even_where_fully_transparent()
    {
        byte[] rows = [10, 20, 30, 0, 200, 100, 50, 128, 1, 2, 3, 255];
        var png = TestPng.Encode(3, 1, 8, TestPng.Rgba, rows);

        var (_, _, rgb) = Decoded.Rgb(png);

        Assert.Equal([10, 20, 30, 200, 100, 50, 1, 2, 3], rgb);
    }

    [Fact]
    public void Palette_expands_to_its_colours_ignoring_transparency()
    {
        byte[] palette = [255, 0, 0, 0, 128, 0, 7, 8, 9];
        byte[] alpha = [0, 64];
        var png = TestPng.Encode(4, 1, 8, TestPng.Palette, [2, 1, 0, 2], ("PLTE", palette), ("tRNS", alpha));

        var (_, _, rgb) = Decoded.Rgb(png);

        Assert.Equal([7, 8, 9, 0, 128, 0, 255, 0, 0, 7, 8, 9], rgb);
    }

    [Fact]
    public void Grayscale_is_replicated_to_three_channels()
    {
        var (_, _, rgb) = Decoded.Rgb(TestPng.Encode(2, 1, 8, TestPng.Gray, [0, 77]));

        Assert.Equal([0, 0, 0, 77, 77, 77], rgb);
    }

    [Fact]
    public void Two_bit_grayscale_is_scaled_to_the_full_byte_range()
    {
        // Samples 0, 1, 2, 3 packed most significant first.
        var (_, _, rgb) = Decoded.Rgb(TestPng.Encode(4, 1, 2, TestPng.Gray, [0b00_01_10_11]));

        Assert.Equal([0, 0, 0, 85, 85, 85, 170, 170, 170, 255, 255, 255], rgb);
    }

    [Fact]
    public void Grayscale_with_alpha_drops_alpha()
    {
        var (_, _, rgb) = Decoded.Rgb(TestPng.Encode(2, 1, 8, TestPng.GrayAlpha, [90, 0, 180, 255]));

        Assert.Equal([90, 90, 90, 180, 180, 180], rgb);
    }

    [Fact]
    public void Sixteen_bit_rgb_keeps_the_high_byte()
    {
        // 0x12FF would round up to 0x13; PIL's "RGB;16B" unpacker truncates to 0x12.
        byte[] rows = [0x12, 0xFF, 0x80, 0x00, 0xFF, 0xFF, 0x00, 0x7F, 0x01, 0x80, 0xAB, 0xCD];
        var (_, _, rgb) = Decoded.Rgb(TestPng.Encode(2, 1, 16, TestPng.Rgb, rows));

        Assert.Equal([0x12, 0x80, 0xFF, 0x00, 0x01, 0xAB], rgb);
    }

    [Fact]
    public void Sixteen_bit_rgba_keeps_the_high_byte_and_drops_alpha()
    {
        byte[] rows = [0x12, 0xFF, 0x80, 0x00, 0xFF, 0xFF, 0x00, 0x00];
        var (_, _, rgb) = Decoded.Rgb(TestPng.Encode(1, 1, 16, TestPng.Rgba, rows));

        Assert.Equal([0x12, 0x80, 0xFF], rgb);
    }

    [Fact]
    public void Sixteen_bit_grayscale_keeps_the_high_byte()
    {
        var (_, _, rgb) = Decoded.Rgb(TestPng.Encode(2, 1, 16, TestPng.Gray, [0x12, 0xFF, 0xFF, 0x00]));

        Assert.Equal([0x12, 0x12, 0x12, 0xFF, 0xFF, 0xFF], rgb);
    }

    [Fact]
    public void Gamma_chunk_is_not_applied()
    {
        // gAMA 1.0 (100000 / 100000): a colour-managed decoder would darken mid-greys.
        byte[] gamma = [0x00, 0x01, 0x86, 0xA0];
        var (_, _, rgb) = Decoded.Rgb(TestPng.Encode(1, 1, 8, TestPng.Rgb, [128, 64, 32], ("gAMA", gamma)));

        Assert.Equal([128, 64, 32], rgb);
    }
}
