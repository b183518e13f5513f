using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Dla.Testing;

/// <summary>Writes small PNG files by hand, so tests control bit depth, palette and every chunk.</summary>
public static class TestPng
{
    public const byte Gray = 0, Rgb = 2, Palette = 3, GrayAlpha = 4, Rgba = 6;

    /// <summary>
    /// A PNG of raw, unfiltered <paramref name="rows"/> (each row exactly as the format packs it,
    /// 16-bit samples big-endian). Extra chunks (type, data) go between IHDR and IDAT.
    /// </summary>
    public static byte[] Encode(int width, int height, byte bitDepth, byte colorType, byte[] rows, params (string Type, byte[] Data)[] extra)
    {
        var rowBytes = rows.Length / height;
        using var filtered = new MemoryStream();
        for (var y = 0; y < height; y++)
        {
            filtered.WriteByte(0);
            filtered.Write(rows, y * rowBytes, rowBytes);
        }

        return Assemble(Header(width, height, bitDepth, colorType), Compress(filtered.ToArray()), extra);
    }

    /// <summary>IHDR contents: width, height, bit depth, colour type, no interlace.</summary>
    public static byte[] Header(int width, int height, byte bitDepth, byte colorType)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = bitDepth;
        ihdr[9] = colorType;
        return ihdr;
    }

    public static byte[] Compress(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var zlib = new ZLibStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            zlib.Write(data);
        return buffer.ToArray();
    }

    /// <summary>Signature, IHDR, the extra chunks, one IDAT, IEND.</summary>
    public static byte[] Assemble(byte[] ihdr, byte[] idat, params (string Type, byte[] Data)[] extra)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR", ihdr);
        foreach (var (type, data) in extra)
            WriteChunk(png, type, data);
        WriteChunk(png, "IDAT", idat);
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        var typeAndData = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type, typeAndData);
        data.CopyTo(typeAndData, 4);
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        png.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typeAndData));
        png.Write(word);
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }

        return ~crc;
    }
}
