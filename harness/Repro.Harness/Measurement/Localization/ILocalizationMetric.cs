using Repro.Config;

namespace Repro.Measurement.Localization;

/// <summary>
/// A score of how well a heatmap lands on the ground-truth object (Quantus-style: one class per metric).
/// Every metric shares two rules: a mask without object pixels cannot be scored (the image is skipped and counted,
/// see <see cref="LocalizationScores"/>), and pixels of equal relevance are ordered at random, so ties are scored
/// by their expected value; a heatmap with no relevance anywhere is thereby scored like a uniform one (chance level).
/// RMA and RRA in <see cref="Fidelity.Paper"/> mode depart from that rule to reproduce the authors' arithmetic.
/// </summary>
public interface ILocalizationMetric
{
    string Name { get; }

    /// <summary>The score in [0,1], or null when <paramref name="mask"/> has no object pixel.</summary>
    double? Score(Heatmap heatmap, ObjectMask mask);
}

static class SameSize
{
    public static void Require(Heatmap heatmap, ObjectMask mask, string metric)
    {
        if (heatmap.Height != mask.Height || heatmap.Width != mask.Width)
            throw new ArgumentException(
                $"{metric}: the heatmap is {heatmap.Height}x{heatmap.Width} (HxW) but the mask is {mask.Height}x{mask.Width}; " +
                "upsample the heatmap to the image's size before scoring");
    }
}
