namespace Repro.Measurement.Localization;

/// <summary>
/// Pointing game (Zhang et al., "Top-down neural attention by excitation backprop", 2016), without the original's
/// 15-pixel tolerance: 1 when the most relevant pixel lies inside the object, else 0. When several pixels share the
/// maximum, the score is the share of them inside the object (the hit rate of a random pick among them).
/// </summary>
public sealed class PointingGame : ILocalizationMetric
{
    public string Name => "pointing game";

    public double? Score(Heatmap heatmap, ObjectMask mask)
    {
        SameSize.Require(heatmap, mask, Name);
        if (mask.ObjectPixels == 0) return null;
        var max = heatmap.Values.Max();
        int atMax = 0, atMaxInside = 0;
        for (var i = 0; i < heatmap.Values.Length; i++)
            if (heatmap.Values[i] == max) { atMax++; if (mask.IsObject[i]) atMaxInside++; }
        return atMaxInside / (double)atMax;
    }
}
