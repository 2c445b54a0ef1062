namespace Repro.Data.Synthetic;

/// <summary>
/// Edge drawing by Sobel gradient magnitude on the luminance (Rec. 601), thresholded at a fraction of the image's
/// largest magnitude: edges black on white, like the benchmark's edge images (which used Canny).
/// </summary>
public static class SobelEdges
{
    public static RgbImage Draw(RgbImage image, double thresholdFraction)
    {
        int w = image.Width, h = image.Height;
        var lum = new double[w * h];
        for (int i = 0, j = 0; i < lum.Length; i++, j += 3)
            lum[i] = 0.299 * image.Pixels[j] + 0.587 * image.Pixels[j + 1] + 0.114 * image.Pixels[j + 2];
        double At(int y, int x) => lum[Math.Clamp(y, 0, h - 1) * w + Math.Clamp(x, 0, w - 1)];

        var magnitude = new double[w * h];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                var gx = At(y - 1, x + 1) + 2 * At(y, x + 1) + At(y + 1, x + 1) - At(y - 1, x - 1) - 2 * At(y, x - 1) - At(y + 1, x - 1);
                var gy = At(y + 1, x - 1) + 2 * At(y + 1, x) + At(y + 1, x + 1) - At(y - 1, x - 1) - 2 * At(y - 1, x) - At(y - 1, x + 1);
                magnitude[y * w + x] = Math.Sqrt(gx * gx + gy * gy);
            }
        var threshold = thresholdFraction * magnitude.Max();
        var px = new byte[w * h * 3];
        for (var i = 0; i < magnitude.Length; i++)
            px[3 * i] = px[3 * i + 1] = px[3 * i + 2] = magnitude[i] > threshold && threshold > 0 ? (byte)0 : (byte)255;
        return new RgbImage(w, h, px);
    }
}
