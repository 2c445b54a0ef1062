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

/// <summary>A qualitative statement of the paper, and whether this run reproduces it.</summary>
public sealed class ClaimOutcome
{
    public string Claim { get; set; } = "";
    public bool Reproduced { get; set; }
    public string Evidence { get; set; } = "";
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
