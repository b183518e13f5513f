namespace Dla.Testing;

/// <summary>
/// Writes a baseline 8×8 four-component (CMYK, Adobe-inverted) JPEG of one flat colour, which
/// Skia cannot encode. With all quantisers 1 and only DC coefficients, the ISLOW IDCT returns
/// each stored sample exactly, so the expected RGB is known.
/// </summary>
public static class TestCmykJpeg
{
    // The standard luminance DC table (JPEG Annex K.3): codes for categories 0..11.
    private static readonly byte[] DcCounts = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>The JPEG for stored (inverted) samples <paramref name="stored"/>, in C, M, Y, K order.</summary>
    public static byte[] Encode(byte[] stored)
    {
        var jpeg = new List<byte> { 0xFF, 0xD8 };
        // Adobe APP14, transform 0: the components are CMYK, not YCCK.
        Segment(jpeg, 0xEE, [.. "Adobe"u8, 0, 100, 0, 0, 0, 0, 0]);
        Segment(jpeg, 0xDB, [0, .. Enumerable.Repeat((byte)1, 64)]);
        Segment(jpeg, 0xC0, [8, 0, 8, 0, 8, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0]);
        Segment(jpeg, 0xC4, [0x00, .. DcCounts, .. Enumerable.Range(0, 12).Select(v => (byte)v)]);
        // The AC table holds only end-of-block, coded as a single 0 bit.
        Segment(jpeg, 0xC4, [0x10, 1, .. new byte[15], 0x00]);
        Segment(jpeg, 0xDA, [4, 1, 0, 2, 0, 3, 0, 4, 0, 0, 63, 0]);
        jpeg.AddRange(Scan(stored));
        jpeg.AddRange([0xFF, 0xD9]);
        return [.. jpeg];
    }

    private static void Segment(List<byte> jpeg, byte marker, byte[] payload)
    {
        var length = payload.Length + 2;
        jpeg.AddRange([0xFF, marker, (byte)(length >> 8), (byte)length]);
        jpeg.AddRange(payload);
    }

    private static List<byte> Scan(byte[] stored)
    {
        var (codes, lengths) = CanonicalCodes(DcCounts);
        var bits = new List<bool>();
        foreach (var sample in stored)
        {
            // A flat block's DC coefficient is 8 × (sample − 128).
            var dc = 8 * (sample - 128);
            var category = dc == 0 ? 0 : 32 - int.LeadingZeroCount(Math.Abs(dc));
            Append(bits, codes[category], lengths[category]);
            Append(bits, dc >= 0 ? dc : dc + (1 << category) - 1, category);
            Append(bits, 0, 1);
        }

        while (bits.Count % 8 != 0)
            bits.Add(true);
        var bytes = new List<byte>();
        for (var i = 0; i < bits.Count; i += 8)
        {
            var value = (byte)Enumerable.Range(0, 8).Aggregate(0, (acc, j) => (acc << 1) | (bits[i + j] ? 1 : 0));
            bytes.Add(value);
            if (value == 0xFF)
                bytes.Add(0x00);
        }

        return bytes;
    }

    private static void Append(List<bool> bits, int value, int count)
    {
        for (var i = count - 1; i >= 0; i--)
            bits.Add(((value >> i) & 1) != 0);
    }

    private static (int[] Codes, int[] Lengths) CanonicalCodes(byte[] counts)
    {
        var codes = new int[12];
        var lengths = new int[12];
        int code = 0, symbol = 0;
        for (var length = 1; length <= 16; length++, code <<= 1)
        {
            for (var n = 0; n < counts[length - 1]; n++, code++, symbol++)
                (codes[symbol], lengths[symbol]) = (code, length);
        }

        return (codes, lengths);
    }
}
