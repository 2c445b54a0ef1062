using Repro.Config;

namespace Repro.Measurement.Alignment.Metrics;

/// <summary>
/// Conditions the benchmark leaves out of its summary numbers (model-vs-human plotting/plot.py EXCLUDE_CONDITIONS):
/// control conditions without distortion, and conditions where mean human accuracy is below 0.2, where error
/// consistency is not meaningful. Non-parametric datasets have a single condition and exclude nothing.
/// </summary>
public static class BenchmarkConditions
{
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Excluded = new Dictionary<string, IReadOnlyList<string>>
    {
        ["colour"] = ["cr"],
        ["contrast"] = ["c100", "c03", "c01"],
        ["high-pass"] = ["inf", "0.55", "0.45", "0.4"],
        ["low-pass"] = ["0", "15", "40"],
        ["phase-scrambling"] = ["0", "150", "180"],
        ["power-equalisation"] = ["0"],
        ["false-colour"] = ["True"],
        ["rotation"] = ["0"],
        ["eidolonI"] = ["1-10-10", "64-10-10", "128-10-10"],
        ["eidolonII"] = ["1-3-10", "32-3-10", "64-3-10", "128-3-10"],
        ["eidolonIII"] = ["1-0-10", "16-0-10", "32-0-10", "64-0-10", "128-0-10"],
        ["uniform-noise"] = ["0.0", "0.6", "0.9"],
    };

    public static bool IsExcluded(string dataset, string condition) =>
        Excluded.TryGetValue(dataset, out var conditions) && conditions.Contains(condition);

    /// <summary>The decisions that count towards the dataset's summary numbers.</summary>
    public static IReadOnlyList<Decision> Included(string dataset, IEnumerable<Decision> decisions) =>
        decisions.Where(d => !IsExcluded(dataset, d.Condition)).ToList();

    /// <summary>
    /// The decisions a per-dataset top-1 counts. <see cref="Fidelity.Paper"/>: every image, as the authors plot the
    /// benchmark's own per-dataset accuracy (mvh_performance_plot.py reads the last column of the evaluator's CSV, which
    /// the evaluator accumulates over every image). <see cref="Fidelity.Corrected"/>: the <see cref="Included"/>
    /// conditions, the same trials the benchmark's OOD accuracy averages.
    /// </summary>
    public static IReadOnlyList<Decision> CountedForTop1(string dataset, IReadOnlyList<Decision> decisions, Fidelity fidelity)
    {
        var counted = fidelity.RequireOne($"top-1 on {dataset}") == Fidelity.Paper ? decisions : Included(dataset, decisions);
        if (counted.Count == 0)
            throw new ArgumentException($"dataset '{dataset}' has no decisions to count in fidelity {fidelity.ToString().ToLowerInvariant()}" +
                (fidelity == Fidelity.Corrected ? " (every condition it has is excluded)" : ""));
        return counted;
    }
}
