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
        using var bitmap = new SKBitmap(info);
        var status = codec.GetPixels(info, bitmap.GetPixels());
        if (status != SKCodecResult.Success)
            throw new CorruptImageException(nameForErrors, $"decoder reported {status}");
        var rgba = bitmap.GetPixelSpan();
        var rgb = new byte[info.Width * info.Height * 3];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4)
        {
            rgb[i] = rgba[j];
            rgb[i + 1] = rgba[j + 1];
            rgb[i + 2] = rgba[j + 2];
        }
        return new RgbImage(info.Width, info.Height, rgb);
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
