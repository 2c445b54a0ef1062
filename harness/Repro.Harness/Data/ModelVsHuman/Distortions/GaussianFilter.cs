namespace Repro.Data.ModelVsHuman.Distortions;

/// <summary>
/// scipy.ndimage.gaussian_filter with mode='constant': separable, kernel radius int(4σ + 0.5), normalised weights,
/// values outside the image equal to <c>outside</c>. An infinite σ spreads every pixel's weight to zero, so the
/// result is the constant <c>outside</c> everywhere. Plain loops: libtorch's float64 conv2d materialises an im2col
/// matrix of kernel length × pixels, which at σ = 40 (321 taps) is far slower.
/// </summary>
internal static class GaussianFilter
{
    public static GreyPlane Apply(GreyPlane grey, double sigma, double outside)
    {
        if (sigma == 0) return grey;
        if (double.IsPositiveInfinity(sigma)) return grey.Map(_ => outside);
        var kernel = Kernel1D(sigma);
        int w = grey.Width, h = grey.Height;
        var rows = Filter1D(grey.Values, w, h, kernel, outside, alongRows: true);
        return grey with { Values = Filter1D(rows, w, h, kernel, outside, alongRows: false) };
    }

    /// <summary>Correlates every row (or column) with the kernel; samples beyond the border read <paramref name="outside"/>.</summary>
    static double[] Filter1D(double[] values, int w, int h, double[] kernel, double outside, bool alongRows)
    {
        var r = (kernel.Length - 1) / 2;
        var (lines, length, step, stride) = alongRows ? (h, w, 1, w) : (w, h, w, 1);
        var padded = new double[length + 2 * r];
        var result = new double[values.Length];
        for (var line = 0; line < lines; line++)
        {
            var start = line * stride;
            Array.Fill(padded, outside);
            for (var i = 0; i < length; i++) padded[r + i] = values[start + i * step];
            for (var i = 0; i < length; i++)
            {
                double sum = 0;
                for (var k = 0; k < kernel.Length; k++) sum += kernel[k] * padded[i + k];
                result[start + i * step] = sum;
            }
        }
        return result;
    }

    /// <summary>scipy's _gaussian_kernel1d with truncate = 4 (symmetric, so correlation = convolution).</summary>
    internal static double[] Kernel1D(double sigma)
    {
        var radius = (int)(4.0 * sigma + 0.5);
        var w = new double[2 * radius + 1];
        for (var i = -radius; i <= radius; i++) w[i + radius] = Math.Exp(-0.5 * i * i / (sigma * sigma));
        var sum = w.Sum();
        for (var i = 0; i < w.Length; i++) w[i] /= sum;
        return w;
    }
}
