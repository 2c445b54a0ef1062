using Repro.Config;

namespace Repro.Measurement.Localization;

/// <summary>
/// Relevance Mass Accuracy (Arras et al., "CLEVR-XAI"): the share of the total relevance inside the object,
/// Σ h·gt / Σ h. <see cref="Fidelity.Corrected"/>: a heatmap that is zero everywhere scores like a uniform one,
/// |gt| / N. <see cref="Fidelity.Paper"/>: the authors' evaluate_single (explainations_evaluation_metrics.py) divides
/// by Σ h + machine epsilon, so a heatmap that is zero everywhere scores 0.
/// </summary>
public sealed class RelevanceMassAccuracy(Fidelity fidelity = Fidelity.Corrected) : ILocalizationMetric
{
    public string Name => "RMA";

    public Fidelity Fidelity { get; } = fidelity.RequireOne("RMA");

    public double? Score(Heatmap heatmap, ObjectMask mask)
    {
        SameSize.Require(heatmap, mask, Name);
        if (mask.ObjectPixels == 0) return null;
        if (Fidelity == Fidelity.Paper)
        {
            var (inside, total) = Sums(heatmap, mask);
            return inside / (total + RelevanceRankAccuracy.MachineEpsilon);
        }
        return MassShare(heatmap, mask);
    }

    internal static double MassShare(Heatmap heatmap, ObjectMask region)
    {
        var (inside, total) = Sums(heatmap, region);
        return total > 0 ? inside / total : region.ObjectPixels / (double)region.IsObject.Length;
    }

    static (double Inside, double Total) Sums(Heatmap heatmap, ObjectMask region)
    {
        double inside = 0, total = 0;
        for (var i = 0; i < heatmap.Values.Length; i++)
        {
            total += heatmap.Values[i];
            if (region.IsObject[i]) inside += heatmap.Values[i];
        }
        return (inside, total);
    }
}
