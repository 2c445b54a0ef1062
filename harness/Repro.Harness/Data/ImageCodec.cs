using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SkiaSharp;

namespace Repro.Data;

/// <summary>An image that cannot be decoded; names the file.</summary>
public sealed class CorruptImageException(string path, string detail)
    : Exception($"{path}: cannot decode image ({detail}). Replace or delete the file, or regenerate the dataset.")
{
    public string PathName { get; } = path;
}

/// <summary>An 8-bit RGB image, row-major, interleaved (HWC).</summary>
public sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    public byte this[int y, int x, int c] => Pixels[(y * Width + x) * 3 + c];
}

/// <summary>JPEG/PNG/BMP/WebP decoding and PNG/JPEG encoding through SkiaSharp.</summary>
public static class ImageCodec
{
    /// <summary>torchvision's IMG_EXTENSIONS.</summary>
    public static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"];

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
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new CorruptImageException(path, e.Message); }
        return Decode(bytes, path);
    }

    public static RgbImage Decode(byte[] bytes, string nameForErrors)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(bytes), out var result);
        if (codec == null)
            throw new CorruptImageException(nameForErrors, $"unrecognised or truncated data: {result}");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        // Skia has no 3-byte RGB target: decode RGBA into a pooled buffer, then drop alpha in one vectorised pass.
        var rgba = ArrayPool<byte>.Shared.Rent(info.BytesSize);
        try
        {
            SKCodecResult status;
            unsafe
            {
                fixed (byte* p = rgba) status = codec.GetPixels(info, (IntPtr)p);
            }
            if (status != SKCodecResult.Success)
                throw new CorruptImageException(nameForErrors, $"decoder reported {status}");
            var rgb = GC.AllocateUninitializedArray<byte>(info.Width * info.Height * 3);
            RgbaToRgb(rgba.AsSpan(0, info.BytesSize), rgb);
            return new RgbImage(info.Width, info.Height, rgb);
        }
        finally { ArrayPool<byte>.Shared.Return(rgba); }
    }

    static readonly Vector128<byte> DropAlpha = Vector128.Create((byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 255, 255, 255, 255);

    /// <summary>Packs RGBA pixels to RGB: four pixels per 16-byte shuffle, each store overlapping the next by 4 bytes.</summary>
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
