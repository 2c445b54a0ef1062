namespace Repro.Measurement.Localization;

/// <summary>A metric over a set of images: per-image scores (null = skipped), and their mean over the scored images.</summary>
public sealed record MetricSummary(string Metric, double?[] PerImage)
{
    public int Scored => PerImage.Count(s => s.HasValue);
    public int Skipped => PerImage.Length - Scored;
    public double Sum => PerImage.Sum(s => s ?? 0);
    /// <summary>Sum / Scored (the authors divided by every mask file scanned instead: errata 2); null if none scored.</summary>
    public double? Mean => Scored > 0 ? Sum / Scored : null;
}

public static class LocalizationScores
{
    /// <summary>Scores image i's heatmap against image i's mask for every i.</summary>
    public static MetricSummary Evaluate(this ILocalizationMetric metric, IReadOnlyList<Heatmap> heatmaps,
        IReadOnlyList<ObjectMask> masks)
    {
        if (heatmaps.Count != masks.Count)
            throw new ArgumentException($"{metric.Name}: {heatmaps.Count} heatmaps but {masks.Count} masks; pass one mask per heatmap");
        return new MetricSummary(metric.Name, heatmaps.Select((h, i) => metric.Score(h, masks[i])).ToArray());
    }
}
