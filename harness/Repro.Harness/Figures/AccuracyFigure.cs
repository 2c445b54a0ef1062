using Repro.Results;
using Repro.Training;

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

    public FigureMeasurement Measure(RunContext context, FigureFolder folder)
    {
        var values = new List<MeasuredValue>();
        var claims = new List<ClaimOutcome>();
        foreach (var model in context.Profile.Models)
        {
            var metrics = new Trajectory(context, model).Ensure();
            foreach (var m in metrics)
            {
                var sparsity = Math.Round(100 * m.MeasuredSparsity, 2);
                values.Add(new MeasuredValue { Series = model.Key, Metric = "top1", Iteration = m.Iteration, Sparsity = sparsity, Value = m.Top1 });
                values.Add(new MeasuredValue { Series = model.Key, Metric = "sparsity_pct", Iteration = m.Iteration, Sparsity = sparsity, Value = sparsity });
                values.Add(new MeasuredValue { Series = model.Key, Metric = "nonzero_weights", Iteration = m.Iteration, Sparsity = sparsity, Value = m.NonzeroWeights });
            }
            claims.Add(IntermediateMatchesDense(model.Key, metrics));
        }
        return new FigureMeasurement(values, claims);
    }

    static ClaimOutcome IntermediateMatchesDense(string series, IReadOnlyList<IterationMetrics> metrics)
    {
        var dense = metrics[0].Top1;
        var best = metrics.Skip(1).Take(Math.Max(0, metrics.Count - 2)).MaxBy(m => m.Top1);
        return new ClaimOutcome
        {
            Claim = $"{series}: some intermediate sparsity matches or beats the dense model's top-1 accuracy",
            Verdict = (best != null && best.Top1 >= dense) ? Verdict.Supported : Verdict.Inconclusive,
            Evidence = best == null
                ? "trajectory too short to have an intermediate sparsity"
                : $"dense {dense:P2}; best intermediate {best.Top1:P2} at {100 * best.MeasuredSparsity:F1}% sparsity (iteration {best.Iteration})",
        };
    }

    public IReadOnlyList<string> Plot(FigureResults results, FigureFolder folder)
    {
        var series = results.Values.Select(v => v.Series).Distinct().ToList();
        var longest = series.Select(s => Sparsities(results, s)).MaxBy(s => s.Count)!;
        using var accuracy = new SparsityPlot(Title, "top-1 accuracy", longest);
        using var nonzero = new SparsityPlot("Remaining non-zero weights vs sparsity", "non-zero weights (log10 scale)", longest);
        foreach (var s in series)
        {
            accuracy.Line(s, Metric(results, s, "top1"));
            nonzero.Line(s, Metric(results, s, "nonzero_weights").Select(Math.Log10).ToList());
        }
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
