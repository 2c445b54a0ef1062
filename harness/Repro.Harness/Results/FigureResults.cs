namespace Repro.Results;

/// <summary>One number of a figure: a metric of one series (model) at one pruning iteration.</summary>
public sealed class MeasuredValue
{
    public string Series { get; set; } = "";
    public string Metric { get; set; } = "";
    public int Iteration { get; set; }
    /// <summary>Measured sparsity in percent, for readers; the key is (series, metric, iteration).</summary>
    public double Sparsity { get; set; }
    public double Value { get; set; }

    [YamlDotNet.Serialization.YamlIgnore]
    public string Key => $"{Series}/{Metric}@{Iteration}";
}

public static class MeasuredValues
{
    /// <summary>One series' values of one metric, in iteration order: the x of every sparsity plot.</summary>
    public static List<MeasuredValue> ByIteration(this IEnumerable<MeasuredValue> values, string series, string metric) =>
        values.Where(v => v.Series == series && v.Metric == metric).OrderBy(v => v.Iteration).ToList();
}

/// <summary>
/// One series' per-unit values of a metric at one iteration: per image (a localisation score, a 0/1 hit) in a fixed
/// order that is the same for every iteration and arm of the run, so that differences pair image by image.
/// </summary>
public sealed class Observation
{
    public string Series { get; set; } = "";
    public string Metric { get; set; } = "";
    public int Iteration { get; set; }
    public List<double> Values { get; set; } = [];

    [YamlDotNet.Serialization.YamlIgnore]
    public string Key => $"{Series}/{Metric}@{Iteration}";
}

/// <summary>How a claim of the paper came out in this run (see Results/Verdicts).</summary>
public enum Verdict
{
    /// <summary>The claim's test rejects its null after the multiplicity correction, against every reference.</summary>
    Supported,
    /// <summary>The data exclude the claim: every comparison it scans is significantly on the wrong side.</summary>
    Contradicted,
    /// <summary>Neither: the effect's interval still holds both zero and the claimed direction.</summary>
    Inconclusive,
    /// <summary>The experiment's chance anchor failed on the dense model, so the comparison says nothing about the claim.</summary>
    Uninformative,
    /// <summary>The paper states no testable claim for this figure, or this profile cannot test it (said why).</summary>
    NoClaim,
}

public static class VerdictWords
{
    /// <summary>The verdict as the report and the console write it: "supported", "contradicted", ..., "no claim".</summary>
    public static string InWords(this Verdict verdict) => verdict == Verdict.NoClaim ? "no claim" : verdict.ToString().ToLowerInvariant();
}

/// <summary>
/// A qualitative statement of the paper judged as a statistical test: the comparison the verdict rests on, its effect
/// (pruned − reference, mean over seeds and images) with a confidence interval, the multiplicity-adjusted p-value, the
/// chance anchor's status and what the test rests on.
/// </summary>
public sealed class ClaimOutcome
{
    public string Claim { get; set; } = "";
    public Verdict Verdict { get; set; } = Verdict.NoClaim;
    /// <summary>The verdict in one or two sentences: what was compared, and why this verdict.</summary>
    public string Evidence { get; set; } = "";
    /// <summary>The comparison the verdict rests on (the family member with the smallest adjusted p), e.g. "grad-cam rma at 48.8 %".</summary>
    public string? Comparison { get; set; }
    /// <summary>Mean paired difference against the dense model, and its interval at the family-wise confidence level.</summary>
    public double? Effect { get; set; }
    public double? CiLower { get; set; }
    public double? CiUpper { get; set; }
    /// <summary>The same against the no-pruning control at the same iteration; empty when the profile trains no control.</summary>
    public double? EffectVsControl { get; set; }
    public double? CiLowerVsControl { get; set; }
    public double? CiUpperVsControl { get; set; }
    /// <summary>Confidence level of the intervals (1 − α/m: Bonferroni over the family, so they agree with the first Holm step).</summary>
    public double? Confidence { get; set; }
    /// <summary>Holm-adjusted one-sided p-value of that comparison (against dense and control: the larger of the two).</summary>
    public double? PAdjusted { get; set; }
    /// <summary>Comparisons the claim scans (sparsities × methods × metrics), the family Holm corrects over.</summary>
    public int Comparisons { get; set; }
    /// <summary>Training seeds and evaluation images the test rests on.</summary>
    public int Seeds { get; set; }
    public int Images { get; set; }
    /// <summary>The chance anchor on the dense model, in words ("...: passed", "...: failed", or "none for this claim").</summary>
    public string Anchor { get; set; } = "";
    public bool? AnchorPassed { get; set; }
}

/// <summary>Everything a figure measured, with provenance: reports/&lt;profile&gt;/&lt;figure&gt;/results.yaml.</summary>
public sealed class FigureResults
{
    public string Figure { get; set; } = "";
    public string Title { get; set; } = "";
    public string Profile { get; set; } = "";
    public Provenance Provenance { get; set; } = new();
    public List<MeasuredValue> Values { get; set; } = [];
    public List<ClaimOutcome> Claims { get; set; } = [];
    /// <summary>Per-image values behind the verdicts (this run's seed), one row per series, metric and iteration.</summary>
    public List<Observation> Observations { get; set; } = [];
    /// <summary>The dense model against chance, baselines and ceilings: whether this figure's data can show anything.</summary>
    public List<DenseAnchor> Anchors { get; set; } = [];
    /// <summary>Where this profile departs from the paper's protocol in what every figure shares (data, models, training, pruning), in words.</summary>
    public List<string> ProfileDeviations { get; set; } = [];
    /// <summary>Where this figure's own settings depart from the paper's, in words.</summary>
    public List<string> Deviations { get; set; } = [];
    /// <summary>Files the measurement wrote beside results.yaml (relative, '/'-separated): the only ones the plot stage reads.</summary>
    public List<string> Artefacts { get; set; } = [];
    /// <summary>Input files the values were measured without (a profile's skip setting), each named; empty when none.</summary>
    public List<string> SkippedInputs { get; set; } = [];
}

/// <summary>reports/&lt;profile&gt;/&lt;figure&gt;/plots.yaml: the files the plot stage wrote, the only images the report shows.</summary>
public sealed class PlotFiles
{
    /// <summary>The content hash of the results.yaml these plots were drawn from.</summary>
    public string ResultsHash { get; set; } = "";
    public List<PlotFile> Plots { get; set; } = [];
}

/// <summary>One plot: its PNG and, where the renderer kept everything, an SVG of it.</summary>
public sealed class PlotFile
{
    public string Png { get; set; } = "";
    public string? Svg { get; set; }
}
