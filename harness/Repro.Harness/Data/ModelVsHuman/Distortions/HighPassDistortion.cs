using System.Globalization;

namespace Repro.Data.ModelVsHuman.Distortions;

/// <summary>
/// "high-pass": greyscale image minus its Gaussian blur (σ = condition, border padded with mean grey 0.4423), then
/// shifted so that its mean is 0.4423, clipped (high_pass_filter in Geirhos et al. 2018). "inf" is the limit of an
/// infinitely wide blur: the greyscale image with its mean moved to 0.4423.
/// </summary>
public sealed class HighPassDistortion : IDistortion
{
    public string Name => "high-pass";
    public IReadOnlyList<string> Conditions { get; } = ["inf", "3.0", "1.5", "1.0", "0.7", "0.55", "0.45", "0.4"];

    public RgbImage Apply(RgbImage image, string condition, int seed)
    {
        if (!Conditions.Contains(condition)) throw new UnknownConditionException(Name, condition, Conditions);
        var sigma = condition == "inf" ? double.PositiveInfinity : double.Parse(condition, CultureInfo.InvariantCulture);
        return Filter(GreyPlane.Luminance(image), sigma).ToImage();
    }

    /// <summary>Before clipping; its mean is exactly the background grey.</summary>
    internal static GreyPlane Filter(GreyPlane grey, double sigma)
    {
        const double bg = LowPassDistortion.BackgroundGrey;
        var blurred = GaussianFilter.Apply(grey, sigma, bg);
        var diff = new double[grey.Values.Length];
        for (var i = 0; i < diff.Length; i++) diff[i] = grey.Values[i] - blurred.Values[i];
        var shift = bg - diff.Average();
        for (var i = 0; i < diff.Length; i++) diff[i] += shift;
        return grey with { Values = diff };
    }
}
