using System.Runtime.InteropServices;

namespace Repro.Data;

/// <summary>
/// JPEG decoding through the system's libjpeg-turbo (TurboJPEG API, Debian's libturbojpeg0) when it is installed.
/// SkiaSharp's bundled decoder lacks libjpeg-turbo's SIMD kernels and takes about twice as long per ImageNet-sized
/// JPEG. Both run libjpeg-turbo's accurate integer IDCT and fancy upsampling, so they give the same pixels (tested
/// byte for byte); anything TurboJPEG refuses or only half-decodes (CMYK, corrupt data, warnings) goes to Skia, which
/// decodes it or names the file in its error. Without the library every image goes to Skia: the same numbers, slower.
/// </summary>
static unsafe class TurboJpeg
{
    const int PixelFormatRgba = 7; // TJPF_RGBA

    static readonly delegate* unmanaged<nint> InitDecompress;
    static readonly delegate* unmanaged<nint, byte*, nuint, int*, int*, int*, int*, int> DecompressHeader3;
    static readonly delegate* unmanaged<nint, byte*, nuint, byte*, int, int, int, int, int, int> Decompress2;

    [ThreadStatic] static nint _handle;

    /// <summary>Whether libturbojpeg.so.0 was found (`repro speed --workloads pipeline` says which decoder ran).</summary>
    public static bool Available { get; }

    static TurboJpeg()
    {
        if (!NativeLibrary.TryLoad("libturbojpeg.so.0", out var library) && !NativeLibrary.TryLoad("turbojpeg", out library)) return;
        if (!NativeLibrary.TryGetExport(library, "tjInitDecompress", out var init)
            || !NativeLibrary.TryGetExport(library, "tjDecompressHeader3", out var header)
            || !NativeLibrary.TryGetExport(library, "tjDecompress2", out var decompress))
            return;
        InitDecompress = (delegate* unmanaged<nint>)init;
        DecompressHeader3 = (delegate* unmanaged<nint, byte*, nuint, int*, int*, int*, int*, int>)header;
        Decompress2 = (delegate* unmanaged<nint, byte*, nuint, byte*, int, int, int, int, int, int>)decompress;
        Available = true;
    }

    static bool IsJpeg(ReadOnlySpan<byte> data) => data.Length > 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;

    /// <summary>One decompressor per thread (TurboJPEG handles are not thread-safe); they live as long as their thread.</summary>
    static nint Handle => _handle != 0 ? _handle : _handle = InitDecompress();

    /// <summary>The image size from a JPEG header; false for anything else or a header TurboJPEG cannot read.</summary>
    public static bool TryReadSize(ReadOnlySpan<byte> data, out int width, out int height)
    {
        width = height = 0;
        if (!Available || !IsJpeg(data)) return false;
        int w, h, subsampling, colourspace;
        fixed (byte* source = data)
            if (DecompressHeader3(Handle, source, (nuint)data.Length, &w, &h, &subsampling, &colourspace) != 0) return false;
        // A file cut inside its headers can "succeed" with no frame read: leave it to Skia, which names the file.
        if (w <= 0 || h <= 0) return false;
        (width, height) = (w, h);
        return true;
    }

    /// <summary>Decodes a JPEG into a pooled RGBA buffer; null when TurboJPEG is missing, the data is not a JPEG, or it fails.</summary>
    public static PooledRgba? TryDecodeRgba(ReadOnlySpan<byte> data)
    {
        if (!TryReadSize(data, out var width, out var height)) return null;
        var rgba = new PooledRgba(width, height);
        int status;
        fixed (byte* source = data)
        fixed (byte* target = rgba.Buffer)
            status = Decompress2(Handle, source, (nuint)data.Length, target, width, width * 4, height, PixelFormatRgba, 0);
        if (status == 0) return rgba;
        rgba.Dispose();
        return null;
    }
}
