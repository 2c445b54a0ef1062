using Repro.Data;

namespace Repro.Tests.Measurement.Alignment;

/// <summary>Small deterministic test images.</summary>
static class TestImages
{
    /// <summary>Smooth colour gradients plus seeded noise: every channel different, values well inside 0..255.</summary>
    public static RgbImage Colourful(int width, int height, int seed = 1)
    {
        var rng = new Random(seed);
        var px = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var i = 3 * (y * width + x);
                px[i] = (byte)(40 + 150 * x / width + rng.Next(20));
                px[i + 1] = (byte)(200 - 150 * y / height + rng.Next(20));
                px[i + 2] = (byte)(60 + 120 * ((x + y) % 17) / 17 + rng.Next(10));
            }
        return new RgbImage(width, height, px);
    }

    public static RgbImage Grey(int width, int height, Func<int, int, byte> value)
    {
        var px = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                px[3 * (y * width + x)] = px[3 * (y * width + x) + 1] = px[3 * (y * width + x) + 2] = value(x, y);
        return new RgbImage(width, height, px);
    }

    public static bool ChannelsEqual(RgbImage img)
    {
        for (var i = 0; i < img.Pixels.Length; i += 3)
            if (img.Pixels[i] != img.Pixels[i + 1] || img.Pixels[i] != img.Pixels[i + 2]) return false;
        return true;
    }

    public static int MaxAbsDifference(RgbImage a, RgbImage b)
    {
        Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
        var max = 0;
        for (var i = 0; i < a.Pixels.Length; i++) max = Math.Max(max, Math.Abs(a.Pixels[i] - b.Pixels[i]));
        return max;
    }

    public static double MeanAbsDifference(RgbImage a, RgbImage b)
    {
        double sum = 0;
        for (var i = 0; i < a.Pixels.Length; i++) sum += Math.Abs(a.Pixels[i] - b.Pixels[i]);
        return sum / a.Pixels.Length;
    }

    public static double Mean(RgbImage img) => img.Pixels.Average(p => (double)p);

    public static double Variance(RgbImage img)
    {
        var mean = Mean(img);
        return img.Pixels.Average(p => (p - mean) * (p - mean));
    }
}
