using System.Diagnostics;
using Repro.Config;
using Repro.Data;
using SkiaSharp;

namespace Repro.Training;

/// <summary>
/// The data-pipeline workload of <c>repro speed --workloads pipeline</c> (and of
/// benchmarks/side-by-side/pytorch_side_by_side.py, which reads the same files): ImageNet-like JPEGs decoded
/// and transformed into batches as training (RandomResizedCrop + flip) and evaluation (Resize + CenterCrop) do.
/// </summary>
public sealed class PipelineProbe(string folder, int images, int batch, int size, int decodeThreads)
{
    public const int Width = 500, Height = 375, JpegQuality = 90;

    /// <summary>torchvision's ImageNet eval resize for a crop: 256 for 224.</summary>
    public int ResizeSize => (int)Math.Round(size / 0.875);

    int Threads => decodeThreads <= 0 ? Environment.ProcessorCount : decodeThreads;

    /// <summary>Writes the JPEGs that are missing (image_00000.jpg, ...); the same seed always gives the same files.</summary>
    public static IReadOnlyList<string> EnsureImages(string folder, int count, int seed = 0)
    {
        Directory.CreateDirectory(folder);
        var paths = Enumerable.Range(0, count).Select(i => Path.Combine(folder, $"image_{i:D5}.jpg")).ToList();
        Parallel.For(0, count, i =>
        {
            if (File.Exists(paths[i])) return;
            using var bitmap = Scene(Seeds.Derive(seed, i));
            var temporary = paths[i] + $".{Environment.ProcessId}.tmp.jpg";
            ImageCodec.EncodeToFile(bitmap, temporary, JpegQuality);
            File.Move(temporary, paths[i], overwrite: true);
        });
        return paths;
    }

    /// <summary>
    /// A photo stand-in: a colour gradient, soft blobs, a periodic texture and pixel noise, so that a quality-90
    /// JPEG is about as large (and as slow to decode) as an ImageNet photo of this size.
    /// </summary>
    static SKBitmap Scene(int seed)
    {
        var rng = new Random(seed);
        float R() => (float)rng.NextDouble();
        var (c0, c1) = (new[] { R(), R(), R() }, new[] { R(), R(), R() });
        var angle = R() * MathF.Tau;
        var (dx, dy) = (MathF.Cos(angle) / Width, MathF.Sin(angle) / Height);
        var blobs = Enumerable.Range(0, 8).Select(_ => (X: R() * Width, Y: R() * Height, Radius: 20 + R() * 120, Colour: new[] { R(), R(), R() })).ToArray();
        var (fx, fy, phase) = (0.05f + R() * 0.4f, 0.05f + R() * 0.4f, R() * MathF.Tau);
        var bitmap = new SKBitmap(new SKImageInfo(Width, Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var px = bitmap.GetPixelSpan();
        var noise = (uint)seed | 1u;
        Span<float> rgb = stackalloc float[3];
        for (var y = 0; y < Height; y++)
            for (var x = 0; x < Width; x++)
            {
                var t = Math.Clamp(0.5f + x * dx + y * dy, 0f, 1f);
                var texture = 0.08f * MathF.Sin(fx * x + phase) * MathF.Sin(fy * y);
                for (var c = 0; c < 3; c++) rgb[c] = c0[c] + (c1[c] - c0[c]) * t + texture;
                foreach (var b in blobs)
                {
                    var d2 = ((x - b.X) * (x - b.X) + (y - b.Y) * (y - b.Y)) / (b.Radius * b.Radius);
                    if (d2 >= 1f) continue;
                    var a = 1f - d2;
                    for (var c = 0; c < 3; c++) rgb[c] += (b.Colour[c] - rgb[c]) * a;
                }
                var at = (y * Width + x) * 4;
                for (var c = 0; c < 3; c++)
                {
                    noise ^= noise << 13; noise ^= noise >> 17; noise ^= noise << 5;   // xorshift32
                    px[at + c] = (byte)Math.Clamp(rgb[c] * 255f + (noise % 65) - 32f, 0f, 255f);
                }
                px[at + 3] = 255;
            }
        return bitmap;
    }

    public SpeedResult Train() => Time("pipeline_train", PixelTransform.Train(size, TrainAugmentation.RandomResizedCrop, 0.08), shuffleSeed: 1);

    public SpeedResult Eval() => Time("pipeline_eval", PixelTransform.Eval(ResizeSize, size), shuffleSeed: null);

    /// <summary>
    /// One pass over all images after an untimed one (JIT tier-up, pools and allocator warm, as in the second epoch
    /// of training), prefetching two batches as training does.
    /// </summary>
    SpeedResult Time(string workload, PixelTransform transform, int? shuffleSeed)
    {
        var samples = EnsureImages(folder, images).Select(p => (p, 0)).ToList();
        var loader = new BatchLoader(samples, transform, batch, prefetch: 2, Threads);
        foreach (var b in loader.Batches(shuffleSeed)) b.Dispose();
        var sw = Stopwatch.StartNew();
        foreach (var b in loader.Batches(shuffleSeed)) b.Dispose();
        var seconds = sw.Elapsed.TotalSeconds;
        return new SpeedResult
        {
            Workload = workload, Setting = $"decode_threads={Threads}", Batch = batch, ImageSize = size,
            ImagesPerSecond = images / seconds, Seconds = seconds,
        };
    }
}
