using System.Globalization;
using Repro.Results;
using ScottPlot;

namespace Repro.Figures;

/// <summary>
/// The per-image evidence a figure keeps beside its averages (results.yaml <c>observations</c>), the comparisons its
/// claims are judged on (<see cref="ClaimTest"/>), and the intervals its plots shade. One results file holds one
/// training seed, so arrays are [seed][image] with one seed row.
/// </summary>
public static class Evidence
{
    public const double PlotConfidence = 0.95;

    public static Observation Observe(string series, string metric, int iteration, IEnumerable<double> values) =>
        new() { Series = series, Metric = metric, Iteration = iteration, Values = values.Select(v => Math.Round(v, 6)).ToList() };

    /// <summary>The key of the no-pruning control series of a model's series, e.g. "resnet18-w0.25-control/grad-cam/paper".</summary>
    public static string ControlOf(string modelKey, string series) => modelKey + Training.Trajectory.ControlSuffix + series[modelKey.Length..];

    /// <summary>Whether a model-level series ("resnet18-w0.25-control") is a control's: plots draw it inside its model's.</summary>
    public static bool IsControl(string modelSeries) => modelSeries.EndsWith(Training.Trajectory.ControlSuffix, StringComparison.Ordinal);

    static Dictionary<string, Observation> Index(IEnumerable<Observation> observations) => observations.ToDictionary(o => o.Key);

    /// <summary>Pruned iterations that are neither dense nor the last (the paper's "intermediate sparsities").</summary>
    public static IReadOnlyList<int> Intermediate(int lastIteration) => Enumerable.Range(1, Math.Max(0, lastIteration - 1)).ToList();

    /// <summary>
    /// One comparison per iteration: the series at that iteration against its own dense iteration 0 and, when
    /// <paramref name="controlSeries"/> has values there (the profile trains the control), against the control at the same iteration (as many retraining
    /// rounds, no pruning). Images without a value in any of the three (a mask with no object pixel) are left out of that
    /// comparison only.
    /// </summary>
    public static IEnumerable<Comparison> Comparisons(IEnumerable<Observation> observations, string series, string? controlSeries, string metric,
        IEnumerable<int> iterations, Func<int, string> label)
    {
        var index = Index(observations);
        foreach (var k in iterations)
        {
            if (!index.TryGetValue(Key(series, metric, k), out var pruned) || !index.TryGetValue(Key(series, metric, 0), out var dense)) continue;
            var control = controlSeries != null && index.TryGetValue(Key(controlSeries, metric, k), out var c) ? c : null;
            var keep = Enumerable.Range(0, pruned.Values.Count)
                .Where(i => double.IsFinite(pruned.Values[i]) && double.IsFinite(dense.Values[i]) && (control == null || double.IsFinite(control.Values[i])))
                .ToList();
            if (keep.Count == 0) continue;
            double[][] Pick(Observation o) => [keep.Select(i => o.Values[i]).ToArray()];
            yield return new Comparison(label(k), Pick(pruned), Pick(dense), control == null ? null : Pick(control));
        }
    }

    /// <summary>The finite values of one observation as [seed][image], or null when the run has none.</summary>
    public static double[][]? Units(IEnumerable<Observation> observations, string series, string metric, int iteration) =>
        Index(observations).TryGetValue(Key(series, metric, iteration), out var o) ? [o.Values.Where(double.IsFinite).ToArray()] : null;

    /// <summary>Paired units of two observations (images finite in both), as [seed][image] each.</summary>
    public static (double[][] A, double[][] B)? Paired(IEnumerable<Observation> observations, (string Series, string Metric, int Iteration) a,
        (string Series, string Metric, int Iteration) b)
    {
        var index = Index(observations);
        if (!index.TryGetValue(Key(a.Series, a.Metric, a.Iteration), out var x) || !index.TryGetValue(Key(b.Series, b.Metric, b.Iteration), out var y)) return null;
        var keep = Enumerable.Range(0, Math.Min(x.Values.Count, y.Values.Count)).Where(i => double.IsFinite(x.Values[i]) && double.IsFinite(y.Values[i])).ToList();
        return ([keep.Select(i => x.Values[i]).ToArray()], [keep.Select(i => y.Values[i]).ToArray()]);
    }

    /// <summary>A comparison's label: what, and the sparsity of the series at that iteration ("grad-cam rma at 48.8 %").</summary>
    public static string At(string what, IEnumerable<MeasuredValue> values, string series, int iteration) =>
        string.Create(CultureInfo.InvariantCulture, $"{what} at {values.First(v => v.Series == series && v.Iteration == iteration).Sparsity:0.#} %");

    static string Key(string series, string metric, int iteration) => $"{series}/{metric}@{iteration}";

    /// <summary>
    /// Shades the <see cref="PlotConfidence"/> interval of the mean over images at each iteration of one series around its
    /// line; returns the image count it rested on (0 when the results hold no per-image values for it).
    /// </summary>
    public static int Shade(SparsityPlot plot, FigureResults results, string series, string metric, int points, Color color, bool rightAxis = false, double scale = 1)
    {
        var index = Index(results.Observations);
        var (lower, upper) = (new List<double>(), new List<double>());
        var images = 0;
        for (var k = 0; k < points; k++)
        {
            if (index.TryGetValue(Key(series, metric, k), out var o) && o.Values.Count(double.IsFinite) is var n and > 1)
            {
                var (lo, hi) = PairedEffect.OfDifferences([o.Values.Where(double.IsFinite).ToArray()]).Interval(PlotConfidence);
                lower.Add(scale * lo);
                upper.Add(scale * hi);
                images = Math.Max(images, n);
            }
            else
            {
                lower.Add(double.NaN);
                upper.Add(double.NaN);
            }
        }
        plot.Band(lower, upper, color, rightAxis);
        return images;
    }

    /// <summary>What the shading of a plot is, said once under its title.</summary>
    public static string ShadingCaption(int images, string unit = "images") => images == 0
        ? "no per-image values: no interval"
        : string.Create(CultureInfo.InvariantCulture,
            $"shaded: {PlotConfidence:P0} CI of the mean, {images} {unit}, one seed");
}
