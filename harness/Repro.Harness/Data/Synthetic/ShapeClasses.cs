using SkiaSharp;

namespace Repro.Data.Synthetic;

/// <summary>
/// The synthetic object classes: each class has its own outline (the shape) and its own texture (colour pair and
/// pattern), worn by half of its objects; the other half wear another class's texture. Texture is thus a partial
/// cue and shape the reliable one, and the two are separate so that cue-conflict stimuli can combine one class's
/// shape with another's texture, as the benchmark's style-transferred images do.
/// </summary>
public static class ShapeClasses
{
    public static readonly string[] Names =
        ["arrow", "crescent", "cross", "diamond", "disk", "heart", "hexagon", "ring", "star", "triangle"];

    public static int Count => Names.Length;

    /// <summary>Outline of class <paramref name="cls"/> centred on the origin, radius about 1.</summary>
    public static SKPath Outline(int cls)
    {
        var p = new SKPath { FillType = SKPathFillType.EvenOdd };
        switch (Names[cls])
        {
            case "arrow":
                p.MoveTo(-1f, -0.25f); p.LineTo(0.2f, -0.25f); p.LineTo(0.2f, -0.65f); p.LineTo(1f, 0f);
                p.LineTo(0.2f, 0.65f); p.LineTo(0.2f, 0.25f); p.LineTo(-1f, 0.25f); p.Close();
                break;
            case "crescent":
                p.AddCircle(0f, 0f, 1f);
                using (var bite = new SKPath()) { bite.AddCircle(0.45f, -0.15f, 0.8f); p = p.Op(bite, SKPathOp.Difference) ?? p; }
                break;
            case "cross":
                p.AddRect(new SKRect(-1f, -0.3f, 1f, 0.3f));
                using (var bar = new SKPath()) { bar.AddRect(new SKRect(-0.3f, -1f, 0.3f, 1f)); p = p.Op(bar, SKPathOp.Union) ?? p; }
                break;
            case "diamond":
                Polygon(p, 4, 1f, 0f, 0.6f);
                break;
            case "disk":
                p.AddCircle(0f, 0f, 0.9f);
                break;
            case "heart":
                p.MoveTo(0f, 0.95f);
                p.CubicTo(-1.3f, 0.1f, -0.9f, -1.05f, 0f, -0.4f);
                p.CubicTo(0.9f, -1.05f, 1.3f, 0.1f, 0f, 0.95f);
                p.Close();
                break;
            case "hexagon":
                Polygon(p, 6, 0.95f, 0f);
                break;
            case "ring":
                p.AddCircle(0f, 0f, 1f);
                p.AddCircle(0f, 0f, 0.55f);
                break;
            case "star":
                Star(p, 5, 1f, 0.42f);
                break;
            case "triangle":
                Polygon(p, 3, 1f, -MathF.PI / 2);
                break;
        }
        return p;
    }

    static void Polygon(SKPath p, int sides, float r, float phase, float squash = 1f)
    {
        for (var i = 0; i < sides; i++)
        {
            var a = phase + i * 2 * MathF.PI / sides;
            var (x, y) = (r * MathF.Cos(a) * squash, r * MathF.Sin(a));
            if (i == 0) p.MoveTo(x, y); else p.LineTo(x, y);
        }
        p.Close();
    }

    static void Star(SKPath p, int points, float outer, float inner)
    {
        for (var i = 0; i < 2 * points; i++)
        {
            var a = -MathF.PI / 2 + i * MathF.PI / points;
            var r = i % 2 == 0 ? outer : inner;
            if (i == 0) p.MoveTo(r * MathF.Cos(a), r * MathF.Sin(a)); else p.LineTo(r * MathF.Cos(a), r * MathF.Sin(a));
        }
        p.Close();
    }

    /// <summary>
    /// Saturated fill colours, one per class. Backgrounds are drawn desaturated (<see cref="DrawBackground"/>), so
    /// colour separates objects from background while only shape separates the classes reliably.
    /// </summary>
    static readonly SKColor[] Palette =
    [
        new(220, 50, 47), new(38, 139, 210), new(133, 200, 0), new(211, 54, 130), new(235, 190, 0),
        new(108, 113, 226), new(0, 190, 170), new(240, 110, 20), new(150, 60, 220), new(0, 150, 60),
    ];

    public const int TextureKinds = 4;

    /// <summary>Share of training and evaluation objects filled with their own class's texture; the rest wear another class's.</summary>
    public const double OwnTextureShare = 0.5;

    /// <summary>
    /// Texture for an object of class <paramref name="cls"/>: its own class texture half of the time, another class's
    /// otherwise, so texture predicts the class only partly and shape must be learnt for the rest.
    /// </summary>
    public static (SKColor Main, SKColor Second, int Pattern) TextureFor(int cls, int classes, Random rng) =>
        rng.NextDouble() < OwnTextureShare ? ClassTexture(cls) : ClassTexture((cls + 1 + rng.Next(classes - 1)) % classes);

    /// <summary>The texture cue of class <paramref name="cls"/>: its colour pair and pattern (cue conflict fills one class's shape with it).</summary>
    public static (SKColor Main, SKColor Second, int Pattern) ClassTexture(int cls) =>
        (Palette[cls % Palette.Length], Blend(Palette[(cls + 5) % Palette.Length], SKColors.White, 0.3f), cls % TextureKinds);

    /// <summary>Any combination of the bank's colours and patterns, regardless of class.</summary>
    public static (SKColor Main, SKColor Second, int Pattern) BankTexture(Random rng) =>
        (Palette[rng.Next(Palette.Length)], Palette[rng.Next(Palette.Length)], rng.Next(TextureKinds));

    /// <summary>A shader filling with the pattern (solid, stripes, dots, checks) in the given colours.</summary>
    public static SKShader Texture(SKColor main, SKColor second, int pattern, float cell, float angleDegrees)
    {
        var size = Math.Max(2, (int)cell);
        using var tile = new SKBitmap(size * 2, size * 2);
        using (var c = new SKCanvas(tile))
        {
            c.Clear(main);
            using var paint = new SKPaint { Color = second, IsAntialias = true };
            switch (pattern)
            {
                case 1: c.DrawRect(0, 0, size * 2, size * 0.8f, paint); c.DrawRect(0, size, size * 2, size * 0.8f, paint); break;
                case 2: c.DrawCircle(size * 0.5f, size * 0.5f, size * 0.35f, paint); c.DrawCircle(size * 1.5f, size * 1.5f, size * 0.35f, paint); break;
                case 3: c.DrawRect(0, 0, size, size, paint); c.DrawRect(size, size, size, size, paint); break;
            }
        }
        return SKShader.CreateBitmap(tile, SKShaderTileMode.Repeat, SKShaderTileMode.Repeat,
            SKMatrix.CreateRotationDegrees(angleDegrees));
    }

    /// <summary>
    /// Side of a texture's pattern cell for objects whose radius is [<paramref name="minScale"/>, <paramref name="maxScale"/>]
    /// of <paramref name="side"/>: the same number of cells across an object at every image size.
    /// </summary>
    public static float TextureCell(int side, double minScale, double maxScale) => (float)(side * (minScale + maxScale) / 2 * 0.28);

    /// <summary>An object: <paramref name="outline"/> filled with the texture (pattern cells of side <paramref name="cell"/>) and a dark contour.</summary>
    public static void DrawObject(SKCanvas canvas, SKPath outline, (SKColor Main, SKColor Second, int Pattern) texture, float cell, Random rng)
    {
        using var fill = new SKPaint { IsAntialias = true, Shader = Texture(texture.Main, texture.Second, texture.Pattern, cell, rng.NextSingle() * 90f) };
        canvas.DrawPath(outline, fill);
        using var edge = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = Math.Max(1f, cell / 4), Color = new SKColor(20, 20, 20) };
        canvas.DrawPath(outline, edge);
    }

    /// <summary>
    /// Background: a desaturated gradient with faint grey strokes and blobs. Its statistics differ from every object's
    /// (no saturated colour, no dark contour, low contrast), as natural backgrounds differ from the objects on them.
    /// </summary>
    public static void DrawBackground(SKCanvas canvas, int width, int height, Random rng, int pieces)
    {
        SKColor Muted(int low, int high)
        {
            var grey = rng.Next(low, high);
            return new SKColor((byte)Math.Clamp(grey + rng.Next(-12, 13), 0, 255), (byte)Math.Clamp(grey + rng.Next(-12, 13), 0, 255),
                (byte)Math.Clamp(grey + rng.Next(-12, 13), 0, 255));
        }
        using (var bg = new SKPaint())
        {
            bg.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width * rng.NextSingle(), height),
                [Muted(110, 200), Muted(110, 200)], SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, width, height, bg);
        }
        using var paint = new SKPaint { IsAntialias = true };
        for (var i = 0; i < pieces; i++)
        {
            paint.Color = Muted(90, 220).WithAlpha((byte)rng.Next(40, 110));
            var (x, y) = (rng.NextSingle() * width, rng.NextSingle() * height);
            var s = (0.04f + 0.12f * rng.NextSingle()) * Math.Min(width, height);
            if (rng.Next(2) == 0)
            {
                paint.Style = SKPaintStyle.Stroke;
                paint.StrokeWidth = Math.Max(1f, s * 0.15f);
                canvas.DrawLine(x, y, x + (rng.NextSingle() - 0.5f) * 3 * s, y + (rng.NextSingle() - 0.5f) * 3 * s, paint);
            }
            else
            {
                paint.Style = SKPaintStyle.Fill;
                canvas.DrawOval(x, y, s, s * (0.4f + rng.NextSingle()), paint);
            }
        }
    }

    static SKColor Blend(SKColor c, SKColor d, float t) => new(
        (byte)(c.Red * (1 - t) + d.Red * t), (byte)(c.Green * (1 - t) + d.Green * t), (byte)(c.Blue * (1 - t) + d.Blue * t));
}
