
namespace Repro.Data.ModelVsHuman.Distortions;

/// <summary>
/// "rotation": greyscale, rotated counter-clockwise by 0/90/180/270 degrees (rotate90/180/270 in Geirhos et al.
/// 2018: transpose-and-flip, so no resampling; width and height swap at 90 and 270).
/// </summary>
public sealed class RotationDistortion : IDistortion
{
    public string Name => "rotation";
    public IReadOnlyList<string> Conditions { get; } = ["0", "90", "180", "270"];

    public RgbImage Apply(RgbImage image, string condition, int seed)
    {
        var quarterTurns = condition switch
        {
            "0" => 0,
            "90" => 1,
            "180" => 2,
            "270" => 3,
            _ => throw new UnknownConditionException(Name, condition, Conditions),
        };
        var grey = GreyPlane.Luminance(image);
        for (var i = 0; i < quarterTurns; i++) grey = QuarterTurn(grey);
        return grey.ToImage();
    }

    /// <summary>One counter-clockwise quarter turn: out[y, x] = in[x, W - 1 - y].</summary>
    static GreyPlane QuarterTurn(GreyPlane g)
    {
        int w = g.Width, h = g.Height;
        var v = new double[w * h];
        for (var y = 0; y < w; y++)
            for (var x = 0; x < h; x++)
                v[y * h + x] = g.Values[x * w + (w - 1 - y)];
        return new GreyPlane(h, w, v);
    }
}
