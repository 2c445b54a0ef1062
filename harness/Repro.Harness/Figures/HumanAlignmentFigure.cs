using Repro.Config;
using Repro.Data.ModelVsHuman;
using Repro.Measurement.Alignment.Evaluation;
using Repro.Measurement.Alignment.Metrics;
using Repro.Results;
using Repro.Training;

namespace Repro.Figures;

/// <summary>
/// Experiment 3: every model's top-1 accuracy on each model-vs-human dataset along its pruning trajectory (the paper's
/// 17-line plot), plus the benchmark's summary numbers: OOD accuracy, accuracy difference, observed and error
/// consistency, and shape bias on cue conflict. Consistencies are against human observers when the release's raw
/// data is present, otherwise against the trajectory's dense model, and are named so in every value and label.
/// </summary>
public sealed class HumanAlignmentFigure : IAlignmentFigure
{
    const string CueConflict = "cue-conflict";

    public string Name => "human-alignment";
    public string Title => "Model-vs-human out-of-distribution accuracy and consistency vs sparsity";
    public string Shows =>
        "Top-1 accuracy on each model-vs-human dataset (every image in fidelity paper, the conditions the benchmark's summary includes in corrected) at every pruning iteration, " +
        "with OOD accuracy, error consistency and shape bias; without human raw data the consistencies are measured against the dense model, not humans.";

    public IReadOnlyList<string> RequiredDatasets => [];

    public void Preflight(RunContext context, List<string> problems) =>
        AlignmentRecipe.Preflight(context, context.Profile.Alignment?.Datasets ?? [], problems);

    public FigureMeasurement Measure(RunContext context, FigureFolder folder)
    {
        var datasets = context.Profile.Alignment!.Datasets;
        var fidelity = AlignmentRecipe.Top1Fidelity(context.Profile);
        var suite = AlignmentRecipe.OpenSuite(context, datasets);
        var values = new List<MeasuredValue>();
        var observations = new List<Observation>();
        var claims = new List<ClaimOutcome>();
        var anchors = new List<DenseAnchor>();
        foreach (var model in context.Profile.Models)
        {
            IterationDecisions? dense = null;
            foreach (var trajectory in Trajectory.Arms(context, model))
            {
                var series = trajectory.SeriesKey;
                var iterations = AlignmentRecipe.Decide(context, trajectory, suite);
                // the control's consistencies are measured against the same dense model as the pruned arm's
                dense ??= iterations[0];
                foreach (var it in iterations)
                {
                    foreach (var d in datasets)
                        values.Add(AlignmentRecipe.Value(series, AlignmentRecipe.Top1Metric(d), it, AlignmentRecipe.Top1(it, d, fidelity)));
                    values.Add(AlignmentRecipe.Value(series, "ood_accuracy", it, OodAccuracy.Of(it.Datasets)));
                    foreach (var (metric, name) in PairwiseMetrics)
                        values.Add(AlignmentRecipe.Value(series, AlignmentRecipe.VersusMetric(name, suite.Reference), it,
                            AlignmentRecipe.Versus(metric, suite, it, dense, series).Value));
                    if (!datasets.Contains(CueConflict)) continue;
                    values.Add(AlignmentRecipe.Value(series, "shape_bias", it, AlignmentRecipe.ShapeBiasOf(suite, it).Bias));
                    observations.Add(Evidence.Observe(series, "shape_decision", it.Iteration, AlignmentRecipe.ShapeDecisions(suite, it)));
                    observations.Add(Evidence.Observe(series, "cue_named", it.Iteration, AlignmentRecipe.CueNamed(suite, it)));
                }
            }
            claims.Add(MoreHumanLike(context, model, suite, values, observations));
            if (Evidence.Units(observations, model.Key, "cue_named", 0) is { } named)
                anchors.Add(DenseAnchor.Ratio($"{model.Key}: dense cue-conflict decisions naming the shape or texture class", named.SelectMany(x => x).Average(),
                    $"chance (2 of {suite.Categories.Count} classes)", 2.0 / suite.Categories.Count, InformativeCueFactor));
        }
        return new FigureMeasurement(values, claims, suite.MissingImages) { Observations = observations, Anchors = anchors };
    }

    /// <summary>The embedded data's design goal: cue-conflict decisions name a cue at least this multiple of chance.</summary>
    public const double InformativeCueFactor = 2;

    static readonly (IPairwiseMetric Metric, string Name)[] PairwiseMetrics =
    [
        (new ErrorConsistency(), "error_consistency"),
        (new ObservedConsistency(), "observed_consistency"),
        (new AccuracyDifference(), "accuracy_difference"),
    ];

    /// <summary>
    /// The paper's claim, tested where it can be per image: some pruned iteration decides cue-conflict images by shape more
    /// often than the dense model and the control (paired over the images both decide by a cue; Holm over iterations). The
    /// anchor: the dense model's decisions name the shape or the texture class more often than chance (2 of the classes),
    /// else shape bias is a ratio of noise. Error consistency with humans has no per-image pairing and is not judged.
    /// </summary>
    static ClaimOutcome MoreHumanLike(RunContext context, ModelConfig model, OodSuite suite, List<MeasuredValue> values, List<Observation> observations)
    {
        var series = model.Key;
        var claim = suite.Reference == ReferenceKind.Human
            ? $"{series}: some pruned model is more human-like than its dense model and the no-pruning control: a higher shape bias on cue-conflict images (error consistency with humans is plotted, not judged)"
            : $"{series}: some pruned model has a higher shape bias than its dense model and the no-pruning control (no human data here, so this is not a human-alignment result)";
        if (!context.Profile.Alignment!.Datasets.Contains(CueConflict))
            return ClaimTest.NoClaim(claim, "the profile's alignment datasets leave out cue-conflict, so shape bias is not measured");
        var last = values.Where(v => v.Series == series && v.Metric == "shape_bias").Max(v => v.Iteration);
        var family = Evidence.Comparisons(observations, series, Evidence.ControlOf(series, series), "shape_decision",
            Enumerable.Range(1, last), k => Evidence.At("shape bias", values, series, k)).ToList();
        var anchor = Anchors.AboveLevel("decisions naming the shape or texture class", Evidence.Units(observations, series, "cue_named", 0)!,
            2.0 / suite.Categories.Count, $"chance (2 of {suite.Categories.Count} classes)");
        return ClaimTest.Judge(claim, family, anchor);
    }

    public IReadOnlyList<string> Plot(FigureResults results, FigureFolder folder)
    {
        var files = new List<string>();
        var datasets = results.Values.Select(v => v.Metric).Where(m => m.StartsWith("top1_")).Distinct().ToList();
        var consistency = results.Values.Select(v => v.Metric).FirstOrDefault(m => m.StartsWith("error_consistency_"));
        foreach (var series in results.Values.Select(v => v.Series).Where(s => !Evidence.IsControl(s)).Distinct())
        {
            var control = series + Trajectory.ControlSuffix;
            var hasControl = results.Values.Any(v => v.Series == control);
            var sparsity = AlignmentRecipe.Sparsities(results, series, "ood_accuracy");
            var lines = AlignmentRecipe.ReferenceLines(sparsity);

            using var perDataset = new SparsityPlot($"{series}: top-1 accuracy per model-vs-human dataset", "top-1 accuracy", sparsity);
            perDataset.ManyColours();
            foreach (var metric in datasets)
            {
                var dataset = metric["top1_".Length..];
                var parametric = ModelVsHumanDatasets.Get(dataset).Parametric;
                perDataset.Line(dataset, AlignmentRecipe.Series(results, series, metric), pattern: parametric ? null : ScottPlot.LinePattern.Dashed);
            }
            perDataset.Caption("one seed; intervals and the control: see the summary plot");
            perDataset.ReferenceLines(lines);
            perDataset.LeftLimits(0, 1);
            files.Add(perDataset.Save(folder.Directory, $"top1-per-dataset-{series}", width: 1150, height: 600));

            var human = consistency?.EndsWith("_vs_human") == true;
            using var summary = new SparsityPlot(
                human ? $"{series}: OOD accuracy, error consistency with human observers, shape bias"
                      : $"{series}: OOD accuracy, error consistency, shape bias\n(consistency vs the dense model: no human data, not human alignment)",
                "value", sparsity);
            var oodColor = summary.TakeColor();
            summary.Line("OOD accuracy", AlignmentRecipe.Series(results, series, "ood_accuracy"), color: oodColor);
            if (consistency != null)
                summary.Line(human ? "error consistency vs humans" : "error consistency vs dense model", AlignmentRecipe.Series(results, series, consistency));
            if (hasControl)
                summary.Line("OOD accuracy, no-pruning control", AlignmentRecipe.Series(results, control, "ood_accuracy"), color: oodColor.Lighten(0.5));
            var images = 0;
            if (results.Values.Any(v => v.Series == series && v.Metric == "shape_bias"))
            {
                var color = summary.TakeColor();
                images = Evidence.Shade(summary, results, series, "shape_decision", sparsity.Count, color);
                summary.Line("shape bias (cue conflict)", AlignmentRecipe.Series(results, series, "shape_bias"), color: color);
                if (hasControl)
                    summary.Line("shape bias, no-pruning control", AlignmentRecipe.Series(results, control, "shape_bias"), color: color.Lighten(0.5));
            }
            summary.Caption(Evidence.ShadingCaption(images, "cue-decided images") + " (shape bias)");
            summary.ReferenceLines(lines);
            var lowest = results.Values.Where(v => v.Series == series && v.Metric == consistency).Select(v => v.Value).DefaultIfEmpty(0).Min();
            summary.LeftLimits(Math.Min(0, lowest) - 0.05, 1.05);
            files.Add(summary.Save(folder.Directory, $"alignment-summary-{series}", width: 1150, height: 520));
        }
        return files;
    }

    public double DefaultAbsTol(string metric) => metric switch
    {
        _ when metric.StartsWith("accuracy_difference") => 0.02,
        _ => 0.05,
    };
}
