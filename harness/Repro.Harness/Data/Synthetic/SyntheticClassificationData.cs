using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Repro.Config;
using SkiaSharp;

namespace Repro.Data.Synthetic;

/// <summary>An object's ground truth, kept beside each synthetic image.</summary>
public sealed record ObjectBox(int XMin, int YMin, int XMax, int YMax);

/// <summary>
/// The embedded classification data: procedurally drawn objects on cluttered backgrounds, written in
/// ImageFolder layout (train/&lt;class&gt;/*.png, val/&lt;class&gt;/*.png) with a binary object mask per image
/// (masks/&lt;split&gt;/&lt;class&gt;/*.png) and boxes.csv. Generated once per (generator version, config, seed)
/// into a cache folder, atomically: a folder with manifest.yaml is complete.
/// </summary>
public static class SyntheticClassificationData
{
    /// <summary>Bump when the drawing changes, so caches regenerate.</summary>
    public const int GeneratorVersion = 3;

    public static string Fingerprint(SyntheticConfig c, int seed)
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"v{GeneratorVersion};classes={c.Classes};train={c.TrainPerClass};val={c.ValPerClass};size={c.ImageSize};scale={c.MinObjectScale}-{c.MaxObjectScale};seed={seed}");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12].ToLowerInvariant();
    }

    /// <summary>Returns the dataset folder, generating it first if the cache lacks it.</summary>
    public static string Ensure(string cacheRoot, SyntheticConfig config, int seed, Action<string>? log = null)
    {
        if (config.Classes < 2 || config.Classes > ShapeClasses.Count)
            throw new ConfigException($"data.synthetic.classes is {config.Classes}; must be between 2 and {ShapeClasses.Count}");
        return AtomicFile.EnsureFolder(Path.Combine(cacheRoot, "data", $"synthetic-{Fingerprint(config, seed)}"), "manifest.yaml",
            tmp => Write(tmp, config, seed),
            $"synthetic data ({config.Classes} classes, {config.TrainPerClass}+{config.ValPerClass} images/class, {config.ImageSize}px)", log);
    }

    public static void Write(string root, SyntheticConfig config, int seed)
    {
        var jobs = new List<(string Split, int Cls, int Index)>();
        foreach (var (split, per) in new[] { ("train", config.TrainPerClass), ("val", config.ValPerClass) })
            for (var c = 0; c < config.Classes; c++)
                for (var i = 0; i < per; i++) jobs.Add((split, c, i));
        foreach (var split in new[] { "train", "val" })
            for (var c = 0; c < config.Classes; c++)
            {
                Directory.CreateDirectory(Path.Combine(root, split, ShapeClasses.Names[c]));
                Directory.CreateDirectory(Path.Combine(root, "masks", split, ShapeClasses.Names[c]));
            }
        var boxes = new string[jobs.Count];
        Parallel.For(0, jobs.Count, j =>
        {
            var (split, cls, index) = jobs[j];
            var rng = new Random(Seeds.Derive(seed, split == "train" ? 1 : 2, cls, index));
            var name = $"{ShapeClasses.Names[cls]}_{index:D5}.png";
            var box = Draw(cls, config, rng,
                Path.Combine(root, split, ShapeClasses.Names[cls], name),
                Path.Combine(root, "masks", split, ShapeClasses.Names[cls], name));
            boxes[j] = $"{split},{ShapeClasses.Names[cls]},{name},{box.XMin},{box.YMin},{box.XMax},{box.YMax}";
        });
        File.WriteAllLines(Path.Combine(root, "boxes.csv"), ["split,class,file,xmin,ymin,xmax,ymax", .. boxes]);
        File.WriteAllText(Path.Combine(root, "manifest.yaml"), string.Create(CultureInfo.InvariantCulture,
            $"generator_version: {GeneratorVersion}\nseed: {seed}\nclasses: [{string.Join(", ", ShapeClasses.Names.Take(config.Classes))}]\n" +
            $"train_per_class: {config.TrainPerClass}\nval_per_class: {config.ValPerClass}\nimage_size: {config.ImageSize}\n" +
            $"min_object_scale: {config.MinObjectScale}\nmax_object_scale: {config.MaxObjectScale}\n"));
    }

    /// <summary>Draws one image and its mask; returns the object's box (exclusive max).</summary>
    public static ObjectBox Draw(int cls, SyntheticConfig config, Random rng, string imagePath, string maskPath)
    {
        var size = config.ImageSize;
        var info = new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var image = new SKBitmap(info);
        using var mask = new SKBitmap(new SKImageInfo(size, size, SKColorType.Gray8, SKAlphaType.Opaque));
        using var placed = PlacedOutline(cls, size, config.MinObjectScale, config.MaxObjectScale, rng);

        using (var canvas = new SKCanvas(image))
        {
            ShapeClasses.DrawBackground(canvas, size, size, rng, pieces: 10 + rng.Next(10));
            ShapeClasses.DrawObject(canvas, placed, ShapeClasses.TextureFor(cls, config.Classes, rng), ShapeClasses.TextureCell(size, config.MinObjectScale, config.MaxObjectScale), rng);
        }
        using (var canvas = new SKCanvas(mask))
        {
            canvas.Clear(SKColors.Black);
            using var solid = new SKPaint { IsAntialias = false, Color = SKColors.White };
            canvas.DrawPath(placed, solid);
        }
        if (rng.NextDouble() < GreyscaleShare) ToGreyscale(image);
        ImageCodec.EncodeToFile(image, imagePath);
        ImageCodec.EncodeToFile(mask, maskPath);
        return BoxOf(mask);
    }

    /// <summary>
    /// Share of images drawn in black and white, as some of ImageNet's photographs are: without them a model could find
    /// objects by saturation alone and would be at chance on every greyscale model-vs-human set.
    /// </summary>
    public const double GreyscaleShare = 0.2;

    static void ToGreyscale(SKBitmap image)
    {
        for (var y = 0; y < image.Height; y++)
            for (var x = 0; x < image.Width; x++)
            {
                var c = image.GetPixel(x, y);
                var grey = (byte)Math.Round(0.299 * c.Red + 0.587 * c.Green + 0.114 * c.Blue);
                image.SetPixel(x, y, new SKColor(grey, grey, grey, c.Alpha));
            }
    }

    /// <summary>The class outline at a random position and rotation, its radius per axis a random share in [minScale, maxScale] of the image side.</summary>
    public static SKPath PlacedOutline(int cls, int size, double minScale, double maxScale, Random rng)
    {
        float Scale() => (float)(size * (minScale + (maxScale - minScale) * rng.NextDouble()));
        var placement = SKMatrix.Concat(
            SKMatrix.CreateTranslation(size * (0.35f + 0.3f * rng.NextSingle()), size * (0.35f + 0.3f * rng.NextSingle())),
            SKMatrix.Concat(SKMatrix.CreateRotationDegrees(rng.NextSingle() * 360f), SKMatrix.CreateScale(Scale(), Scale())));
        using var outline = ShapeClasses.Outline(cls);
        var placed = new SKPath();
        outline.Transform(placement, placed);
        return placed;
    }

    static ObjectBox BoxOf(SKBitmap mask)
    {
        int xmin = mask.Width, ymin = mask.Height, xmax = -1, ymax = -1;
        var px = mask.GetPixelSpan();
        for (var y = 0; y < mask.Height; y++)
            for (var x = 0; x < mask.Width; x++)
                if (px[y * mask.RowBytes + x] > 127)
                {
                    xmin = Math.Min(xmin, x); ymin = Math.Min(ymin, y);
                    xmax = Math.Max(xmax, x); ymax = Math.Max(ymax, y);
                }
        return xmax < 0 ? new ObjectBox(0, 0, 0, 0) : new ObjectBox(xmin, ymin, xmax + 1, ymax + 1);
    }
}
