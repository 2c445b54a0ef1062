using System.Globalization;

namespace Repro.Data.ModelVsHuman.Distortions;

/// <summary>
/// "low-pass": greyscale, Gaussian blur with standard deviation = condition (pixels), image border padded with the
/// benchmark's mean grey 0.4423, clipped (low_pass_filter in Geirhos et al. 2018). "0" is the greyscale image.
/// </summary>
public sealed class LowPassDistortion : IDistortion
{
    /// <summary>bg_grey of the reference code: mean pixel value over the benchmark's images.</summary>
    public const double BackgroundGrey = 0.4423;

    public string Name => "low-pass";
    public IReadOnlyList<string> Conditions { get; } = ["0", "1", "3", "5", "7", "10", "15", "40"];

    public RgbImage Apply(RgbImage image, string condition, int seed)
    {
        if (!Conditions.Contains(condition)) throw new UnknownConditionException(Name, condition, Conditions);
        var sigma = double.Parse(condition, CultureInfo.InvariantCulture);
        return GaussianFilter.Apply(GreyPlane.Luminance(image), sigma, BackgroundGrey).ToImage();
    }
}
