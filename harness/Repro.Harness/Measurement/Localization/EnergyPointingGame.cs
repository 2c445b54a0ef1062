namespace Repro.Measurement.Localization;

/// <summary>
/// Energy-based pointing game (Wang et al., "Score-CAM", CVPR Workshops 2020): the share of the relevance inside the
/// object's bounding box, Σ h·box / Σ h. The box is the tightest axis-aligned box around all object pixels of the
/// mask (one box, even when the mask holds several objects). A heatmap that is zero everywhere scores |box| / N.
/// </summary>
public sealed class EnergyPointingGame : ILocalizationMetric
{
    public string Name => "energy pointing game";

    public double? Score(Heatmap heatmap, ObjectMask mask)
    {
        SameSize.Require(heatmap, mask, Name);
        if (mask.ObjectPixels == 0) return null;
        return RelevanceMassAccuracy.MassShare(heatmap, mask.BoundingBox());
    }
}
