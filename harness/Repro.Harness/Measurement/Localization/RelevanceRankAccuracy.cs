using Repro.Config;

namespace Repro.Measurement.Localization;

/// <summary>
/// Relevance Rank Accuracy (Arras et al., "CLEVR-XAI"): with K = |gt|, the share of the K most relevant pixels
/// that lie inside the object, |top-K(h) ∩ gt| / K.
/// <see cref="Fidelity.Corrected"/>: ties at the K-th value are split by expectation: if m of the t pixels tied at
/// that value are still needed and g of those t are object pixels, they add m·g/t hits (the mean over every order
/// of the tied pixels; no dependence on pixel order or sort stability).
/// <see cref="Fidelity.Paper"/>: the authors' evaluate_single (explainations_evaluation_metrics.py): the heatmap is
/// cast to float64, flattened row-major, ordered by numpy's default (unstable) argsort, reversed to descending, and
/// the first K indices are counted; the hits are divided by K + machine epsilon.
/// </summary>
public sealed class RelevanceRankAccuracy(Fidelity fidelity = Fidelity.Corrected) : ILocalizationMetric
{
    public string Name => "RRA";

    public Fidelity Fidelity { get; } = fidelity.RequireOne("RRA");

    public double? Score(Heatmap heatmap, ObjectMask mask)
    {
        SameSize.Require(heatmap, mask, Name);
        var k = mask.ObjectPixels;
        if (k == 0) return null;
        return Fidelity == Fidelity.Paper ? PaperScore(heatmap, mask) : ExpectedScore(heatmap, mask);
    }

    static double ExpectedScore(Heatmap heatmap, ObjectMask mask)
    {
        var k = mask.ObjectPixels;
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

    static double PaperScore(Heatmap heatmap, ObjectMask mask)
    {
        var values = Array.ConvertAll(heatmap.Values, v => (double)v);
        var ascending = NumpyArgsort.Quicksort(values);
        var k = mask.ObjectPixels;
        var hits = 0;
        // the reversed ascending order's first K are the ascending order's last K
        for (var i = ascending.Length - 1; i >= ascending.Length - k; i--)
            if (mask.IsObject[ascending[i]]) hits++;
        return hits / (k + MachineEpsilon);
    }

    /// <summary>Python's sys.float_info.epsilon (2^-52), which the authors add to every denominator.</summary>
    internal const double MachineEpsilon = 2.220446049250313e-16;
}
