using System.Globalization;

namespace Repro.Data.ModelVsHuman.Distortions;

/// <summary>
/// "uniform-noise": greyscale, contrast reduced to 30 %, then additive noise uniform in [-width, width), clipped to
/// [0, 1] (uniform_noise in Geirhos et al. 2018; the noise experiment ran at 30 % contrast). Condition = width.
/// </summary>
public sealed class UniformNoise : IDistortion
{
    public const double Contrast = 0.3;

    public string Name => "uniform-noise";
    public IReadOnlyList<string> Conditions { get; } = ["0.0", "0.03", "0.05", "0.1", "0.2", "0.35", "0.6", "0.9"];

    public RgbImage Apply(RgbImage image, string condition, int seed)
    {
        if (!Conditions.Contains(condition)) throw new UnknownConditionException(Name, condition, Conditions);
        var width = double.Parse(condition, CultureInfo.InvariantCulture);
        var rng = new Random(seed);
        return ContrastDistortion.Reduce(GreyPlane.Luminance(image), Contrast)
            .Map(v => v + width * (2 * rng.NextDouble() - 1))
            .ToImage();
    }
}
