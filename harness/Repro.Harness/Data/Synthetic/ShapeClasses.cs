using SkiaSharp;

namespace Repro.Data.Synthetic;

/// <summary>
/// The synthetic object classes: each class has its own outline (the shape) and a preferred pair of
/// fill textures drawn from a bank shared with other classes, so colour and texture are only partly
/// informative and shape must be learnt. Shape and texture are separate so that later experiments can
/// swap them (cue conflict).
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

    /// <summary>Bank of fill colours; each class prefers two, each colour is preferred by two classes.</summary>
    static readonly SKColor[] Palette =
    [
        new(220, 50, 47), new(38, 139, 210), new(133, 153, 0), new(211, 54, 130), new(181, 137, 0),
        new(108, 113, 196), new(42, 161, 152), new(203, 75, 22), new(90, 90, 90), new(240, 240, 240),
    ];

    public const int TextureKinds = 4;

    /// <summary>Texture for class <paramref name="cls"/>: a preferred colour and pattern most of the time, any other sometimes.</summary>
    public static (SKColor Main, SKColor Second, int Pattern) TextureFor(int cls, Random rng) =>
        rng.NextDouble() < 0.75 ? PreferredTexture(cls, rng) : BankTexture(rng);

    /// <summary>One of the textures class <paramref name="cls"/> prefers: its texture cue (used for cue conflict).</summary>
    public static (SKColor Main, SKColor Second, int Pattern) PreferredTexture(int cls, Random rng) =>
        (Palette[(cls + (rng.Next(2) == 0 ? 0 : 3)) % Palette.Length], Palette[rng.Next(Palette.Length)], (cls + rng.Next(2)) % TextureKinds);

    /// <summary>Any texture of the bank, regardless of class.</summary>
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

    /// <summary>Cluttered background: a colour gradient with random strokes and blobs in the shared palette.</summary>
    public static void DrawClutter(SKCanvas canvas, int width, int height, Random rng, int pieces)
    {
        var a = Palette[rng.Next(Palette.Length)].WithAlpha(255);
        var b = Palette[rng.Next(Palette.Length)];
        using (var bg = new SKPaint())
        {
            bg.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height),
                [Blend(a, SKColors.White, 0.5f), Blend(b, SKColors.Black, 0.4f)], SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, width, height, bg);
        }
        using var paint = new SKPaint { IsAntialias = true };
        for (var i = 0; i < pieces; i++)
        {
            paint.Color = Blend(Palette[rng.Next(Palette.Length)], SKColors.Gray, 0.35f).WithAlpha((byte)rng.Next(90, 200));
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
