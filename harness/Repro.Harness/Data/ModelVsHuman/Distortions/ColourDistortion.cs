
namespace Repro.Data.ModelVsHuman.Distortions;

/// <summary>"colour": the original colour image ("cr") or its greyscale version ("bw", skimage rgb2gray).</summary>
public sealed class ColourDistortion : IDistortion
{
    public string Name => "colour";
    public IReadOnlyList<string> Conditions { get; } = ["cr", "bw"];

    public RgbImage Apply(RgbImage image, string condition, int seed) => condition switch
    {
        "cr" => image with { Pixels = (byte[])image.Pixels.Clone() },
        "bw" => GreyPlane.Luminance(image).ToImage(),
        _ => throw new UnknownConditionException(Name, condition, Conditions),
    };
}
