namespace Repro.Measurement.Localization;

/// <summary>
/// Relevance Mass Accuracy (Arras et al., "CLEVR-XAI"): the share of the total relevance inside the object,
/// Σ h·gt / Σ h. A heatmap that is zero everywhere scores like a uniform one: |gt| / N.
/// </summary>
public sealed class RelevanceMassAccuracy : ILocalizationMetric
{
    public string Name => "RMA";

    public double? Score(Heatmap heatmap, ObjectMask mask)
    {
        SameSize.Require(heatmap, mask, Name);
        if (mask.ObjectPixels == 0) return null;
        return MassShare(heatmap, mask);
    }

    internal static double MassShare(Heatmap heatmap, ObjectMask region)
    {
        double inside = 0, total = 0;
        for (var i = 0; i < heatmap.Values.Length; i++)
        {
            total += heatmap.Values[i];
            if (region.IsObject[i]) inside += heatmap.Values[i];
        }
        return total > 0 ? inside / total : region.ObjectPixels / (double)region.IsObject.Length;
    }
}
