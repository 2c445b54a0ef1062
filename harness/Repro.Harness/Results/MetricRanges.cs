namespace Repro.Results;

/// <summary>The values a metric can take; <see cref="Exact"/> for counts, whose tolerance must be 0.</summary>
public sealed record MetricRange(double Min, double Max, bool Exact = false)
{
    /// <summary>Half the feasible range: a band (expected ± tolerance) wider than this cannot tell most values apart. 0 for counts.</summary>
    public double HalfRange => Exact ? 0 : (Max - Min) / 2;

    /// <summary>The widest tolerance whose band, expected ± tolerance, spans at most <see cref="HalfRange"/>.</summary>
    public double MaxTolerance => HalfRange / 2;
}

/// <summary>
/// The feasible range of every metric a figure reports, by name. Tolerances are judged against it: a band wider than
/// half the range would pass almost any value, so the derivation refuses one and the check of a tolerance in the
/// committed files flags one.
/// </summary>
public static class MetricRanges
{
    public const string SourceFile = "harness/Repro.Harness/Results/MetricRanges.cs";

    static readonly MetricRange Share = new(0, 1);
    static readonly MetricRange Correlation = new(-1, 1);
    static readonly MetricRange Percent = new(0, 100);
    static readonly MetricRange Count = new(0, double.PositiveInfinity, Exact: true);

    static readonly Dictionary<string, MetricRange> ByName = new(StringComparer.Ordinal)
    {
        ["top1"] = Share, ["rma"] = Share, ["rra"] = Share, ["pointing_game"] = Share, ["energy_pointing_game"] = Share,
        ["corloc"] = Share, ["mean_iou"] = Share, ["box_area"] = Share, ["ood_accuracy"] = Share, ["shape_bias"] = Share,
        ["sparsity_pct"] = Percent,
        ["nonzero_weights"] = Count, ["images_scored"] = Count,
    };

    // Families named by a prefix and what follows it (a dataset, a reference): top1_colour, error_consistency_vs_dense.
    static readonly (string Prefix, MetricRange Range)[] Families =
    [
        ("top1_", Share),
        ("observed_consistency_", Share),
        // the squared difference of two accuracies
        ("accuracy_difference_", Share),
        ("error_consistency_", Correlation),
    ];

    /// <summary>The feasible range of <paramref name="metric"/>; an unknown name is an error saying where to add it.</summary>
    public static MetricRange Of(string metric) =>
        Find(metric) ?? throw new InvalidOperationException(
            $"metric '{metric}' has no feasible range; add it to {SourceFile} (its tolerances are judged against that range)");

    public static double HalfRange(string metric) => Of(metric).HalfRange;

    public static double MaxTolerance(string metric) => Of(metric).MaxTolerance;

    public static bool IsKnown(string metric) => Find(metric) != null;

    static MetricRange? Find(string metric) =>
        ByName.TryGetValue(metric, out var range) ? range
        : Families.FirstOrDefault(f => metric.Length > f.Prefix.Length && metric.StartsWith(f.Prefix, StringComparison.Ordinal)).Range;
}
