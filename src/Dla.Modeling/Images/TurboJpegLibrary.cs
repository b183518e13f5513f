using System.Runtime.InteropServices;

namespace Dla.Modeling.Images;

/// <summary>
/// The system's TurboJPEG library (libjpeg-turbo's own API; Debian's <c>libturbojpeg0</c>), loaded when present.
/// Why not only Skia: SkiaSharp's bundled libjpeg-turbo is built without its SIMD code (its <c>jsimd_can_*</c> are
/// stubs that answer no), so the inverse DCT, the YCbCr → RGB conversion and the chroma upsampling run as plain C,
/// more than half of a photograph's decoding time. The system library has the SSE2/AVX2 versions, which
/// libjpeg-turbo keeps bit-identical to the C code (and which Pillow uses), so the pixels are the same, faster.
/// Only the TurboJPEG 2.x functions are bound; 3.x still exports them.
/// </summary>
internal static unsafe class TurboJpegLibrary
{
    /// <summary>Set to <c>skia</c> to decode every JPEG with Skia (for comparisons); anything else uses TurboJPEG when present.</summary>
    public const string DecoderVariable = "DLA_JPEG_DECODER";

    /// <summary>Pixel format: R, G, B and an unused fourth byte, the layout <see cref="DecodedImage"/> holds.</summary>
    public const int PixelFormatRgbx = 2;

    /// <summary><c>tjGetErrorCode</c>: a warning (the image may still be usable), not a fatal error.</summary>
    public const int ErrorWarning = 0;

    private static readonly string[] Names = ["libturbojpeg.so.0", "libturbojpeg.so", "libturbojpeg.dylib", "turbojpeg"];

    private static readonly Functions? Loaded = Load();

    /// <summary>The library's functions, or null when it is absent or turned off.</summary>
    public static Functions? Library => Loaded;

    private static Functions? Load()
    {
        if (string.Equals(Environment.GetEnvironmentVariable(DecoderVariable), "skia", StringComparison.OrdinalIgnoreCase))
            return null;
        foreach (var name in Names)
        {
            if (NativeLibrary.TryLoad(name, typeof(TurboJpegLibrary).Assembly, null, out var handle))
            {
                try
                {
                    return new Functions(handle);
                }
                catch (EntryPointNotFoundException)
                {
                    NativeLibrary.Free(handle);
                }
            }
        }
        return null;
    }

    /// <summary>The bound functions (C signatures in turbojpeg.h; <c>unsigned long</c> is <see cref="CULong"/>).</summary>
    internal sealed class Functions(nint library)
    {
        public readonly delegate* unmanaged<nint> InitDecompress = (delegate* unmanaged<nint>)NativeLibrary.GetExport(library, "tjInitDecompress");

        public readonly delegate* unmanaged<nint, byte*, CULong, int*, int*, int*, int*, int> DecompressHeader3 =
            (delegate* unmanaged<nint, byte*, CULong, int*, int*, int*, int*, int>)NativeLibrary.GetExport(library, "tjDecompressHeader3");

        public readonly delegate* unmanaged<nint, byte*, CULong, byte*, int, int, int, int, int, int> Decompress2 =
            (delegate* unmanaged<nint, byte*, CULong, byte*, int, int, int, int, int, int>)NativeLibrary.GetExport(library, "tjDecompress2");

        public readonly delegate* unmanaged<nint, int> GetErrorCode = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "tjGetErrorCode");

        public readonly delegate* unmanaged<nint, byte*> GetErrorString = (delegate* unmanaged<nint, byte*>)NativeLibrary.GetExport(library, "tjGetErrorStr2");

        /// <summary>The last error of <paramref name="handle"/>: whether it is only a warning, and its text.</summary>
        public (bool Warning, string Message) LastError(nint handle) =>
            (GetErrorCode(handle) == ErrorWarning, Marshal.PtrToStringUTF8((nint)GetErrorString(handle)) ?? "unknown error");
    }
}
