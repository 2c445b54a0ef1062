using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SkiaSharp;

namespace Repro.Data;

/// <summary>An image that cannot be decoded; names the file.</summary>
public sealed class CorruptImageException(string path, string detail)
    : Config.BadInputException($"{path}: cannot decode image ({detail}). Replace or delete the file, or regenerate the dataset.")
{
    public string PathName { get; } = path;
}

/// <summary>An 8-bit RGB image, row-major, interleaved (HWC).</summary>
public sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    public byte this[int y, int x, int c] => Pixels[(y * Width + x) * 3 + c];
}

/// <summary>Decoded RGBA pixels in a buffer rented from the shared pool; disposing returns it.</summary>
internal sealed class PooledRgba(int width, int height) : IDisposable
{
    public int Width { get; } = width;
    public int Height { get; } = height;
    // Reused buffers spare the page faults of a fresh 0.75 MB array per image.
    public byte[] Buffer { get; private set; } = ArrayPool<byte>.Shared.Rent(width * height * 4);
    public ReadOnlySpan<byte> Pixels => Buffer.AsSpan(0, Width * Height * 4);

    public void Dispose()
    {
        if (Buffer.Length > 0) ArrayPool<byte>.Shared.Return(Buffer);
        Buffer = [];
    }
}

/// <summary>An image file's bytes in a pooled buffer and its size from the header; disposing returns the buffer.</summary>
internal sealed class EncodedImage(string path, byte[] buffer, int length, int width, int height) : IDisposable
{
    public string Path { get; } = path;
    public int Width { get; } = width;
    public int Height { get; } = height;
    byte[] _buffer = buffer;
    public ReadOnlySpan<byte> Bytes => _buffer.AsSpan(0, length);

    public void Dispose()
    {
        if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}

/// <summary>JPEG/PNG/BMP/WebP decoding and PNG/JPEG encoding through SkiaSharp.</summary>
public static class ImageCodec
{
    /// <summary>torchvision's IMG_EXTENSIONS.</summary>
    public static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"];

    /// <summary>Which library decodes JPEGs here, in words (the same pixels either way).</summary>
    public static string JpegDecoder => TurboJpeg.Available ? "the system's libjpeg-turbo (libturbojpeg)" : "Skia (libturbojpeg not found)";

    public static bool IsImageFile(string path) =>
        Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>Reads the image size from the file header without decoding the pixels.</summary>
    public static (int Width, int Height) ReadSize(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var codec = SKCodec.Create(stream, out var result)
                ?? throw new CorruptImageException(path, $"unrecognised or truncated data: {result}");
            return (codec.Info.Width, codec.Info.Height);
        }
        catch (IOException e) { throw new CorruptImageException(path, e.Message); }
    }

    public static RgbImage Decode(string path)
    {
        using var rgba = DecodeRgba(path);
        return ToRgb(rgba);
    }

    public static RgbImage Decode(byte[] bytes, string nameForErrors)
    {
        using var rgba = DecodeRgba(bytes, nameForErrors);
        return ToRgb(rgba);
    }

    // Skia has no 3-byte RGB target: decode RGBA into a pooled buffer, then drop alpha in one vectorised pass.
    static RgbImage ToRgb(PooledRgba rgba)
    {
        var rgb = GC.AllocateUninitializedArray<byte>(rgba.Width * rgba.Height * 3);
        RgbaToRgb(rgba.Pixels, rgb);
        return new RgbImage(rgba.Width, rgba.Height, rgb);
    }

    /// <summary>Decodes into a pooled RGBA buffer: the batch loader's CPU path resamples from it without an RGB copy.</summary>
    internal static PooledRgba DecodeRgba(string path)
    {
        using var encoded = ReadEncoded(path);
        return DecodeRgba(encoded);
    }

    internal static PooledRgba DecodeRgba(EncodedImage encoded) => DecodeRgba(encoded.Bytes, encoded.Path);

    /// <summary>A file's bytes in a pooled buffer, with the image size from its header (no pixels decoded yet).</summary>
    internal static EncodedImage ReadEncoded(string path)
    {
        byte[] file = [];
        try
        {
            int length = 0;
            using (var handle = File.OpenHandle(path))
            {
                var size = RandomAccess.GetLength(handle);
                if (size > Array.MaxLength) throw new CorruptImageException(path, $"file of {size} bytes is too large for an image");
                file = ArrayPool<byte>.Shared.Rent((int)size);
                for (int read; length < size && (read = RandomAccess.Read(handle, file.AsSpan(length, (int)size - length), length)) > 0;)
                    length += read;
            }
            var bytes = file.AsSpan(0, length);
            var (width, height) = TurboJpeg.TryReadSize(bytes, out var w, out var h) ? (w, h)
                : WithSkiaCodec(bytes, path, codec => (codec.Info.Width, codec.Info.Height));
            var encoded = new EncodedImage(path, file, length, width, height);
            file = [];
            return encoded;
        }
        catch (IOException e) { throw new CorruptImageException(path, e.Message); }
        finally
        {
            if (file.Length > 0) ArrayPool<byte>.Shared.Return(file);
        }
    }

    static PooledRgba DecodeRgba(ReadOnlySpan<byte> encoded, string nameForErrors) =>
        TurboJpeg.TryDecodeRgba(encoded) ?? DecodeRgbaWithSkia(encoded, nameForErrors);

    /// <summary>Skia's decoder, for every format; TurboJPEG's output is tested against it.</summary>
    internal static unsafe PooledRgba DecodeRgbaWithSkia(ReadOnlySpan<byte> encoded, string nameForErrors) =>
        WithSkiaCodec(encoded, nameForErrors, codec =>
        {
            var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
            var rgba = new PooledRgba(info.Width, info.Height);
            SKCodecResult status;
            fixed (byte* p = rgba.Buffer) status = codec.GetPixels(info, (IntPtr)p);
            if (status == SKCodecResult.Success) return rgba;
            rgba.Dispose();
            throw new CorruptImageException(nameForErrors, $"decoder reported {status}");
        });

    /// <summary>A Skia codec over <paramref name="encoded"/>, read in place (no copy into a stream; pinned while it lives).</summary>
    static unsafe T WithSkiaCodec<T>(ReadOnlySpan<byte> encoded, string nameForErrors, Func<SKCodec, T> use)
    {
        fixed (byte* source = encoded)
        {
            using var data = SKData.Create((IntPtr)source, encoded.Length);
            using var codec = SKCodec.Create(new SKMemoryStream(data), out var result)
                ?? throw new CorruptImageException(nameForErrors, $"unrecognised or truncated data: {result}");
            return use(codec);
        }
    }

    static readonly Vector128<byte> DropAlpha = Vector128.Create((byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 255, 255, 255, 255);

    /// <summary>Packs RGBA pixels to RGB: four pixels per 16-byte shuffle, each store overlapping the next by 4 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RgbaToRgb(ReadOnlySpan<byte> rgba, Span<byte> rgb)
    {
        int pixels = rgb.Length / 3, i = 0;
        ref var src = ref MemoryMarshal.GetReference(rgba);
        ref var dst = ref MemoryMarshal.GetReference(rgb);
        // A 16-byte store at pixel i writes up to byte 3i + 15, so stop while five pixels remain.
        for (; i + 5 < pixels; i += 4)
            Vector128.Shuffle(Vector128.LoadUnsafe(ref src, (nuint)(4 * i)), DropAlpha).StoreUnsafe(ref dst, (nuint)(3 * i));
        for (; i < pixels; i++)
        {
            rgb[3 * i] = rgba[4 * i];
            rgb[3 * i + 1] = rgba[4 * i + 1];
            rgb[3 * i + 2] = rgba[4 * i + 2];
        }
    }

    /// <summary>An opaque RGBA bitmap of <paramref name="image"/>, to draw on or encode.</summary>
    public static SKBitmap ToBitmap(RgbImage image)
    {
        var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var dst = bitmap.GetPixelSpan();
        for (int i = 0, j = 0; i < image.Pixels.Length; i += 3, j += 4)
        {
            dst[j] = image.Pixels[i];
            dst[j + 1] = image.Pixels[i + 1];
            dst[j + 2] = image.Pixels[i + 2];
            dst[j + 3] = 255;
        }
        return bitmap;
    }

    public static void EncodeToFile(SKBitmap bitmap, string path, int jpegQuality = 92)
    {
        var format = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".jpg" or ".jpeg" => SKEncodedImageFormat.Jpeg,
            ".png" => SKEncodedImageFormat.Png,
            var e => throw new ArgumentException($"{path}: cannot encode '{e}', use .png or .jpg"),
        };
        using var data = bitmap.Encode(format, jpegQuality);
        using var file = File.Create(path);
        data.SaveTo(file);
    }
}
