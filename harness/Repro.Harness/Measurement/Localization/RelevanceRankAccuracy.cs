namespace Repro.Measurement.Localization;

/// <summary>
/// Relevance Rank Accuracy (Arras et al., "CLEVR-XAI"): with K = |gt|, the share of the K most relevant pixels
/// that lie inside the object, |top-K(h) ∩ gt| / K. Ties at the K-th value are split by expectation: if m of the
/// t pixels tied at that value are still needed and g of those t are object pixels, they add m·g/t hits
/// (the mean over every order of the tied pixels; no dependence on pixel order or sort stability).
/// </summary>
public sealed class RelevanceRankAccuracy : ILocalizationMetric
{
    public string Name => "RRA";

    public double? Score(Heatmap heatmap, ObjectMask mask)
    {
        SameSize.Require(heatmap, mask, Name);
        var k = mask.ObjectPixels;
        if (k == 0) return null;
        var sorted = (float[])heatmap.Values.Clone();
        Array.Sort(sorted);
        var threshold = sorted[^k];
        int above = 0, aboveInside = 0, tied = 0, tiedInside = 0;
        for (var i = 0; i < heatmap.Values.Length; i++)
        {
            var v = heatmap.Values[i];
            if (v > threshold) { above++; if (mask.IsObject[i]) aboveInside++; }
            else if (v == threshold) { tied++; if (mask.IsObject[i]) tiedInside++; }
        }
        var hits = aboveInside + (k - above) * (double)tiedInside / tied;
        return hits / k;
    }
}
