using Repro.Config;
using Repro.Results;
using Repro.Training;
using ScottPlot;

namespace Repro.Figures;

/// <summary>
/// The base curve every other figure shares: ImageNet-style top-1 validation accuracy, and the number
/// of remaining non-zero weights, along each model's pruning trajectory.
/// </summary>
public sealed class AccuracyFigure : IFigure
{
    public string Name => "accuracy";
    public string Title => "Top-1 accuracy vs sparsity";
    public string Shows => "Validation top-1 accuracy and remaining non-zero weights at every iteration of iterative magnitude pruning with learning-rate rewinding.";

    /// <summary>Non-inferiority margin of the accuracy claim: "matches" means at most this much below (1 percentage point).</summary>
    public const double Margin = 0.01;

    /// <summary>A dense top-1 above this leaves no room to show that pruning improves accuracy.</summary>
    public const double Ceiling = 0.98;

    /// <summary>The embedded data's design range for dense top-1: clearly above chance, with room to improve.</summary>
    public const double InformativeLow = 0.60, InformativeHigh = 0.95;

    /// <summary>The paper's effects span sparsities up to 99.7 %; a trajectory should reach at least this far into that range.</summary>
    public const double InformativeSparsityPct = 95;

    public FigureMeasurement Measure(RunContext context, FigureFolder folder)
    {
        var values = new List<MeasuredValue>();
        var observations = new List<Observation>();
        var claims = new List<ClaimOutcome>();
        var anchors = new List<DenseAnchor>();
        var p = context.Profile;
        var valLoader = context.Data.ValLoader(p);
        var labels = valLoader.Labels;
        foreach (var model in p.Models)
        {
            foreach (var trajectory in Trajectory.Arms(context, model))
                foreach (var m in trajectory.Ensure())
                {
                    var sparsity = Math.Round(100 * m.MeasuredSparsity, 2);
                    var series = trajectory.SeriesKey;
                    values.Add(new MeasuredValue { Series = series, Metric = "top1", Iteration = m.Iteration, Sparsity = sparsity, Value = m.Top1 });
                    values.Add(new MeasuredValue { Series = series, Metric = "sparsity_pct", Iteration = m.Iteration, Sparsity = sparsity, Value = sparsity });
                    values.Add(new MeasuredValue { Series = series, Metric = "nonzero_weights", Iteration = m.Iteration, Sparsity = sparsity, Value = m.NonzeroWeights });
                    var (net, masks) = trajectory.Load(m.Iteration);
                    using (masks)
                    using (net)
                    {
                        var predicted = Trainer.Predict(net, valLoader, context.Device);
                        observations.Add(Evidence.Observe(series, "correct", m.Iteration, predicted.Select((c, i) => c == labels[i] ? 1.0 : 0.0)));
                    }
                }
            claims.Add(IntermediateMatchesDense(context, model, values, observations));
            anchors.AddRange(InformativeAnchors(context, model, values));
        }
        return new FigureMeasurement(values, claims) { Observations = observations, Anchors = anchors };
    }

    /// <summary>
    /// The paper's accuracy statement as a non-inferiority test: some intermediate sparsity's top-1 is at most
    /// <see cref="Margin"/> below the dense model's (and the control's), paired over the validation images.
    /// </summary>
    static ClaimOutcome IntermediateMatchesDense(RunContext context, ModelConfig model, List<MeasuredValue> values, List<Observation> observations)
    {
        var series = model.Key;
        var last = observations.Where(o => o.Series == series).Max(o => o.Iteration);
        var family = Evidence.Comparisons(observations, series, Evidence.ControlOf(series, series),
            "correct", Evidence.Intermediate(last), k => Evidence.At("top-1", values, series, k)).ToList();
        var dense = Evidence.Units(observations, series, "correct", 0)!;
        var anchor = Anchors.All(
            Anchors.AboveLevel("top-1", dense, 1.0 / context.Data.NumClasses, "chance (1/classes)"),
            Anchors.BelowCeiling("top-1", dense, Ceiling));
        return ClaimTest.Judge($"{series}: some intermediate sparsity keeps the dense model's top-1 accuracy (at most {Margin:P0} lower; against the control too)",
            family, anchor, Margin, "val images");
    }

    /// <summary>Dense top-1 between chance and a ceiling, and a trajectory that reaches the paper's high sparsities.</summary>
    static IEnumerable<DenseAnchor> InformativeAnchors(RunContext context, ModelConfig model, List<MeasuredValue> values)
    {
        var top1 = values.ByIteration(model.Key, "top1");
        var chance = 1.0 / context.Data.NumClasses;
        yield return DenseAnchor.Between($"{model.Key}: dense top-1 (val images)", top1[0].Value, InformativeLow, InformativeHigh,
            "chance (1/classes)", chance, $"between {InformativeLow:P0} and {InformativeHigh:P0}");
        var last = top1[^1];
        yield return DenseAnchor.Between($"{model.Key}: sparsity reached (%), {top1.Count - 1} iterations; top-1 there {last.Value:P1}",
            last.Sparsity, InformativeSparsityPct, 100, "the paper's ResNet-18 trajectory", 99.7, $"≥ {InformativeSparsityPct:0} %");
    }

    public IReadOnlyList<string> Plot(FigureResults results, FigureFolder folder)
    {
        var series = results.Values.Select(v => v.Series).Distinct().Where(s => !Evidence.IsControl(s)).ToList();
        var longest = series.Select(s => Sparsities(results, s)).MaxBy(s => s.Count)!;
        using var accuracy = new SparsityPlot(Title, "top-1 accuracy", longest);
        using var nonzero = new SparsityPlot("Remaining non-zero weights vs sparsity", "non-zero weights (log10 scale)", longest);
        var images = 0;
        foreach (var s in series)
        {
            var color = accuracy.TakeColor();
            images = Math.Max(images, Evidence.Shade(accuracy, results, s, "correct", longest.Count, color));
            accuracy.Line(s, Metric(results, s, "top1"), color: color);
            var control = s + Trajectory.ControlSuffix;
            if (results.Values.Any(v => v.Series == control))
            {
                Evidence.Shade(accuracy, results, control, "correct", longest.Count, color);
                accuracy.Line($"{s}, no-pruning control", Metric(results, control, "top1"), color: color.Lighten(0.5));
            }
            nonzero.Line(s, Metric(results, s, "nonzero_weights").Select(Math.Log10).ToList());
        }
        accuracy.Caption(Evidence.ShadingCaption(images, "val images"));
        accuracy.LeftLimits(0, 1);
        nonzero.LogLeft();
        return [accuracy.Save(folder.Directory, "accuracy"), nonzero.Save(folder.Directory, "nonzero-weights")];
    }

    static List<double> Sparsities(FigureResults r, string series) =>
        r.Values.ByIteration(series, "top1").Select(v => v.Sparsity).ToList();

    static List<double> Metric(FigureResults r, string series, string metric) =>
        r.Values.ByIteration(series, metric).Select(v => v.Value).ToList();

    public double DefaultAbsTol(string metric) => metric switch
    {
        "top1" => 0.05,
        "sparsity_pct" => 0.1,
        _ => 0,
    };
}
