using System.Globalization;

namespace Repro.Data.ModelVsHuman.Distortions;

/// <summary>
/// "contrast": greyscale, then contrast reduced to level c around mid-grey, (1 - c)/2 + c·image
/// (adjust_contrast in Geirhos et al. 2018's image_manipulation.py). Conditions "c100" … "c01" are percent.
/// </summary>
public sealed class ContrastDistortion : IDistortion
{
    public string Name => "contrast";
    public IReadOnlyList<string> Conditions { get; } = ["c100", "c50", "c30", "c15", "c10", "c05", "c03", "c01"];

    public RgbImage Apply(RgbImage image, string condition, int seed)
    {
        if (!Conditions.Contains(condition)) throw new UnknownConditionException(Name, condition, Conditions);
        var level = int.Parse(condition[1..], CultureInfo.InvariantCulture) / 100.0;
        return Reduce(GreyPlane.Luminance(image), level).ToImage();
    }

    internal static GreyPlane Reduce(GreyPlane grey, double level) => grey.Map(v => (1 - level) / 2.0 + level * v);
}
