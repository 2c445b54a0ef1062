using Repro.Config;
using SkiaSharp;

namespace Repro.Data.Synthetic;

/// <summary>
/// One synthetic stimulus of a non-parametric benchmark set. <see cref="TextureClass"/> is set for cue-conflict
/// images only (it always differs from <see cref="ShapeClass"/> there).
/// </summary>
public sealed record NonParametricStimulus(string Dataset, int ShapeClass, int? TextureClass, int Index, RgbImage Image)
{
    public string ShapeName => ShapeClasses.Names[ShapeClass];
    public string? TextureName => TextureClass is { } t ? ShapeClasses.Names[t] : null;
}

/// <summary>
/// Synthetic stand-ins for the benchmark's five non-parametric sets, drawn from the synthetic shape classes
/// (<see cref="ShapeClasses"/>): shape = the class outline, texture = the class's fill pattern and colours.
/// <list type="bullet">
/// <item>silhouette: the object's region filled black on white, no antialiasing (pure black and white);</item>
/// <item>edge: the object drawn with its class texture on white, then <see cref="SobelEdges"/> (Sobel magnitude
/// above 25 % of its maximum), black edges on white;</item>
/// <item>cue-conflict: the outline of one class filled with another class's texture, drawn as the training images
/// are (contour, background); both labels recorded;</item>
/// <item>sketch: the outline drawn twice as a jittered dark stroke on white, like a quick pen drawing;</item>
/// <item>stylized: object and background each filled with a random sample of the texture bank, so that only the
/// texture boundary carries the shape.</item>
/// </list>
/// Deterministic in (dataset, class, index, size, seed).
/// </summary>
public static class NonParametricStimuli
{
    /// <summary>Bump when the drawing changes, so that cached sets regenerate.</summary>
    public const int GeneratorVersion = 2;

    public static readonly IReadOnlyList<string> Datasets = ["sketch", "stylized", "edge", "silhouette", "cue-conflict"];

    const double EdgeThreshold = 0.25;

    /// <summary>Every stimulus of <paramref name="dataset"/>: <paramref name="perClass"/> images of each of the first <paramref name="classes"/> classes.</summary>
    public static IReadOnlyList<NonParametricStimulus> Generate(string dataset, int classes, int perClass, int size, int seed,
        double minObjectScale = SyntheticConfig.DefaultMinObjectScale, double maxObjectScale = SyntheticConfig.DefaultMaxObjectScale)
    {
        if (classes < 2 || classes > ShapeClasses.Count)
            throw new ArgumentException($"classes is {classes}; must be between 2 and {ShapeClasses.Count} (cue conflict needs two)");
        var stimuli = new List<NonParametricStimulus>(classes * perClass);
        for (var cls = 0; cls < classes; cls++)
            for (var i = 0; i < perClass; i++)
                stimuli.Add(Render(dataset, cls, i, classes, size, seed, minObjectScale, maxObjectScale));
        return stimuli;
    }

    /// <summary>One stimulus; objects are drawn at the training images' scale (<see cref="SyntheticConfig.MinObjectScale"/>).</summary>
    public static NonParametricStimulus Render(string dataset, int shapeClass, int index, int classes, int size, int seed,
        double minObjectScale = SyntheticConfig.DefaultMinObjectScale, double maxObjectScale = SyntheticConfig.DefaultMaxObjectScale)
    {
        var datasetIndex = Datasets.ToList().IndexOf(dataset);
        if (datasetIndex < 0)
            throw new ArgumentException($"unknown non-parametric dataset '{dataset}'; valid: {string.Join(", ", Datasets)}");
        var rng = new Random(Seeds.Derive(seed, GeneratorVersion, datasetIndex, shapeClass, index));
        using var bitmap = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var shape = SyntheticClassificationData.PlacedOutline(shapeClass, size, minObjectScale, maxObjectScale, rng);
        var cell = ShapeClasses.TextureCell(size, minObjectScale, maxObjectScale);
        int? textureClass = null;
        switch (dataset)
        {
            case "silhouette":
                using (var black = new SKPaint { IsAntialias = false, Color = SKColors.Black }) canvas.DrawPath(shape, black);
                break;
            case "edge":
                FillTextured(canvas, shape, ShapeClasses.TextureFor(shapeClass, classes, rng), cell, rng);
                using (var outline = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = Math.Max(1f, cell / 4), Color = new SKColor(20, 20, 20) })
                    canvas.DrawPath(shape, outline);
                canvas.Flush();
                return new NonParametricStimulus(dataset, shapeClass, null, index, SobelEdges.Draw(ToRgbImage(bitmap), EdgeThreshold));
            case "cue-conflict":
                textureClass = (shapeClass + 1 + index % (classes - 1)) % classes;
                ShapeClasses.DrawBackground(canvas, size, size, rng, pieces: 10 + rng.Next(10));
                ShapeClasses.DrawObject(canvas, shape, ShapeClasses.ClassTexture(textureClass.Value), cell, rng);
                break;
            case "sketch":
                for (var pass = 0; pass < 2; pass++)
                {
                    using var jitter = SKPathEffect.CreateDiscrete(size / 24f, size / 160f, (uint)rng.Next());
                    using var pen = new SKPaint
                    {
                        IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = Math.Max(1f, size / 100f),
                        Color = new SKColor(30, 30, 30, 220), PathEffect = jitter,
                    };
                    canvas.DrawPath(shape, pen);
                }
                break;
            case "stylized":
                var background = ShapeClasses.BankTexture(rng);
                var foreground = ShapeClasses.BankTexture(rng);
                // the object's main colour must not occur in the background, or the shape could vanish
                while (foreground.Main == background.Main || (background.Pattern != 0 && foreground.Main == background.Second))
                    foreground = ShapeClasses.BankTexture(rng);
                using (var whole = new SKPath())
                {
                    whole.AddRect(new SKRect(0, 0, size, size));
                    FillTextured(canvas, whole, background, cell, rng);
                }
                FillTextured(canvas, shape, foreground, cell, rng);
                break;
        }
        canvas.Flush();
        return new NonParametricStimulus(dataset, shapeClass, textureClass, index, ToRgbImage(bitmap));
    }

    /// <summary>Writes a stimulus image as PNG or JPEG (by extension) to <paramref name="path"/>.</summary>
    public static void Save(RgbImage image, string path)
    {
        using var bitmap = ImageCodec.ToBitmap(image);
        ImageCodec.EncodeToFile(bitmap, path);
    }

    static void FillTextured(SKCanvas canvas, SKPath region, (SKColor Main, SKColor Second, int Pattern) texture, float cell, Random rng)
    {
        using var fill = new SKPaint
        {
            IsAntialias = true,
            Shader = ShapeClasses.Texture(texture.Main, texture.Second, texture.Pattern, cell, rng.NextSingle() * 90f),
        };
        canvas.DrawPath(region, fill);
    }

    static RgbImage ToRgbImage(SKBitmap opaque)
    {
        var src = opaque.GetPixelSpan();
        var rgb = new byte[opaque.Width * opaque.Height * 3];
        for (var y = 0; y < opaque.Height; y++)
            for (var x = 0; x < opaque.Width; x++)
            {
                int s = y * opaque.RowBytes + 4 * x, d = 3 * (y * opaque.Width + x);
                rgb[d] = src[s];
                rgb[d + 1] = src[s + 1];
                rgb[d + 2] = src[s + 2];
            }
        return new RgbImage(opaque.Width, opaque.Height, rgb);
    }
}
