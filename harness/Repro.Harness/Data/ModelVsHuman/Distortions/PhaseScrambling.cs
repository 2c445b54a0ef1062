using System.Globalization;
using static TorchSharp.torch;

namespace Repro.Data.ModelVsHuman.Distortions;

/// <summary>
/// "phase-scrambling": greyscale, then every Fourier phase shifted by noise uniform in [-width, width) degrees,
/// amplitudes kept (scramble_phases in Geirhos et al. 2018). As in the reference, the centred spectrum's block
/// [1:, 1:] is flattened, its first half gets +shifts and its second half (after the zero frequency) −shifts in the
/// same order; that order does not pair each frequency with its conjugate, so the inverse transform is complex and,
/// as there, only its real part is kept, which also damps each amplitude by |cos((a − b)/2)| for two independent
/// shifts a, b (at 180° about half the image's variance is lost).
/// Needs even width and height, like the reference.
/// </summary>
public sealed class PhaseScrambling : IDistortion
{
    public string Name => "phase-scrambling";
    public IReadOnlyList<string> Conditions { get; } = ["0", "30", "60", "90", "120", "150", "180"];

    public RgbImage Apply(RgbImage image, string condition, int seed)
    {
        if (!Conditions.Contains(condition)) throw new UnknownConditionException(Name, condition, Conditions);
        if (image.Width % 2 != 0 || image.Height % 2 != 0)
            throw new ArgumentException(
                $"{Name}: image is {image.Width}x{image.Height}; the benchmark's phase scrambling needs even width and height (crop one pixel)");
        var widthDegrees = double.Parse(condition, CultureInfo.InvariantCulture);
        return Scramble(GreyPlane.Luminance(image), widthDegrees, new Random(seed)).ToImage();
    }

    internal static GreyPlane Scramble(GreyPlane grey, double widthDegrees, Random rng)
    {
        int w = grey.Width, h = grey.Height;
        var length = (h - 1) * (w - 1);
        var shifts = new double[length / 2];
        for (var i = 0; i < shifts.Length; i++) shifts[i] = (rng.NextDouble() - 0.5) * 2 * widthDegrees / 180.0 * Math.PI;

        using var scope = NewDisposeScope();
        var f = fft.fftshift(fft.fft2(grey.ToTensor()));
        var amplitude = f.abs();
        var phase = f.angle().contiguous().data<double>().ToArray();
        for (var i = 0; i < length; i++)
        {
            var at = (1 + i / (w - 1)) * w + 1 + i % (w - 1);
            if (i < length / 2) phase[at] += shifts[i];
            else if (i > length / 2) phase[at] -= shifts[i - length / 2 - 1];
        }
        var scrambled = polar(amplitude, tensor(phase, [h, w], ScalarType.Float64));
        return GreyPlane.FromTensor(fft.ifft2(fft.ifftshift(scrambled)).real);
    }
}
