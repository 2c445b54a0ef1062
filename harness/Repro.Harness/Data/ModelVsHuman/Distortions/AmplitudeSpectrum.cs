using static TorchSharp.torch;

namespace Repro.Data.ModelVsHuman.Distortions;

/// <summary>
/// The amplitude spectrum |fftshift(fft2(grey))| of greyscale images, zero frequency at (Height/2, Width/2),
/// row-major (get_amplitude_spectrum in Geirhos et al.'s calculate_mean_power_spectrum.py).
/// </summary>
public sealed record AmplitudeSpectrum(int Width, int Height, double[] Values)
{
    public double this[int y, int x] => Values[y * Width + x];

    public static AmplitudeSpectrum Of(RgbImage image) => Of(GreyPlane.Luminance(image));

    internal static AmplitudeSpectrum Of(GreyPlane grey)
    {
        using var scope = NewDisposeScope();
        var amplitude = fft.fftshift(fft.fft2(grey.ToTensor())).abs();
        return new AmplitudeSpectrum(grey.Width, grey.Height, amplitude.contiguous().data<double>().ToArray());
    }

    /// <summary>Mean amplitude spectrum over images of one size (the benchmark's power-equalisation target).</summary>
    public static AmplitudeSpectrum MeanOf(IEnumerable<RgbImage> images)
    {
        double[]? sum = null;
        int w = 0, h = 0, n = 0;
        foreach (var image in images)
        {
            if (sum == null) (w, h, sum) = (image.Width, image.Height, new double[image.Width * image.Height]);
            else if (image.Width != w || image.Height != h)
                throw new ArgumentException(
                    $"image {n} is {image.Width}x{image.Height} but image 0 is {w}x{h}: a mean amplitude spectrum needs images of one size; resize or crop them first");
            var a = Of(image).Values;
            for (var i = 0; i < a.Length; i++) sum[i] += a[i];
            n++;
        }
        if (sum == null) throw new ArgumentException("no images given for the mean amplitude spectrum");
        for (var i = 0; i < sum.Length; i++) sum[i] /= n;
        return new AmplitudeSpectrum(w, h, sum);
    }

    internal Tensor ToTensor() => tensor(Values, [Height, Width], ScalarType.Float64);
}
