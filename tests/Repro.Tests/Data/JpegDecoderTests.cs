using Repro.Data;
using Repro.Training;
using SkiaSharp;

namespace Repro.Tests.Data;

/// <summary>
/// JPEGs go to the system's libjpeg-turbo when it is installed (Data/TurboJpeg) and to Skia otherwise: the pixels must be
/// the same bytes either way, or numbers would depend on which library a machine has.
/// </summary>
[Trait("Category", TestCategories.Unit)]
public class JpegDecoderTests
{
    static byte[] Jpeg(SKBitmap bitmap, int quality)
    {
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        return data.ToArray();
    }

    static SKBitmap Noisy(int width, int height, int seed, SKColorType type = SKColorType.Rgba8888)
    {
        var bitmap = new SKBitmap(new SKImageInfo(width, height, type, SKAlphaType.Opaque));
        var rng = new Random(seed);
        var pixels = bitmap.GetPixelSpan();
        // Smooth gradients with noise: both the flat and the busy blocks a photo has.
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var channels = type == SKColorType.Gray8 ? 1 : 4;
                for (var c = 0; c < Math.Min(channels, 3); c++)
                    pixels[(y * width + x) * channels + c] = (byte)Math.Clamp(x * 255 / width / (c + 1) + y % 37 + rng.Next(-20, 21), 0, 255);
                if (channels == 4) pixels[(y * width + x) * 4 + 3] = 255;
            }
        return bitmap;
    }

    public static TheoryData<int, int, int, bool> Cases => new()
    {
        { 500, 375, 90, false },   // ImageNet-like
        { 333, 201, 75, false },   // odd sizes: partial MCUs at both edges
        { 64, 64, 95, false },
        { 120, 77, 50, true },     // greyscale, one component
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_decoder_gives_Skias_pixels_byte_for_byte(int width, int height, int quality, bool grey)
    {
        using var bitmap = Noisy(width, height, seed: width + quality, grey ? SKColorType.Gray8 : SKColorType.Rgba8888);
        var jpeg = Jpeg(bitmap, quality);
        using var skia = ImageCodec.DecodeRgbaWithSkia(jpeg, "skia");
        using var decoded = TurboJpeg.TryDecodeRgba(jpeg) ?? ImageCodec.DecodeRgbaWithSkia(jpeg, "fallback");
        Assert.Equal((width, height), (decoded.Width, decoded.Height));
        Assert.True(skia.Pixels.SequenceEqual(decoded.Pixels),
            $"{(TurboJpeg.Available ? "libjpeg-turbo" : "Skia")} decoded {width}x{height} q{quality} differently from Skia");
    }

    [Fact]
    public void The_generated_pipeline_JPEGs_decode_the_same_with_both_decoders()
    {
        using var tmp = new TempDir();
        foreach (var path in PipelineProbe.EnsureImages(tmp.Path, 4))
        {
            var bytes = File.ReadAllBytes(path);
            using var skia = ImageCodec.DecodeRgbaWithSkia(bytes, path);
            using var decoded = ImageCodec.DecodeRgba(path);
            Assert.True(skia.Pixels.SequenceEqual(decoded.Pixels), path);
        }
    }

    [Fact]
    public void A_truncated_JPEG_is_named_in_the_error_whichever_decoder_runs()
    {
        using var tmp = new TempDir();
        using var bitmap = Noisy(200, 150, seed: 3);
        var path = tmp["cut.jpg"];
        File.WriteAllBytes(path, Jpeg(bitmap, 90)[..200]);
        var e = Assert.Throws<CorruptImageException>(() => ImageCodec.Decode(path));
        Assert.Contains("cut.jpg", e.Message);
    }
}
