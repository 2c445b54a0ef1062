using Repro.Results;
using Repro.Training;

namespace Repro.Figures;

/// <summary>
/// The paper's focused ResNet-18 plot: top-1 accuracy on the silhouette, colour and false-colour sets of model-vs-human
/// vs pruning step: over every image in fidelity paper, over the greyscale and opponent-colour conditions the benchmark's
/// summary keeps in corrected (<see cref="AlignmentRecipe.Top1Fidelity"/>).
/// </summary>
public sealed class ResNet18TasksFigure : IAlignmentFigure
{
    static readonly string[] Datasets = ["silhouette", "colour", "false-colour"];

    public string Name => "resnet18-tasks";
    public string Title => "ResNet-18 on silhouette, colour and false colour vs pruning step";
    public string Shows =>
        "ResNet-18 top-1 accuracy on the model-vs-human silhouette, colour and false-colour sets at every pruning step (every image in fidelity paper; " +
        "the greyscale and opponent-colour conditions only in corrected).";

    public IReadOnlyList<string> RequiredDatasets => Datasets;

    public void Preflight(RunContext context, List<string> problems) => AlignmentRecipe.Preflight(context, Datasets, problems);

    public FigureMeasurement Measure(RunContext context, FigureFolder folder)
    {
        var suite = AlignmentRecipe.OpenSuite(context, Datasets);
        var fidelity = AlignmentRecipe.Top1Fidelity(context.Profile);
        var values = new List<MeasuredValue>();
        var observations = new List<Observation>();
        foreach (var model in context.Profile.Models.Where(m => m.Architecture == "resnet18"))
            foreach (var trajectory in Trajectory.Arms(context, model))
                foreach (var it in AlignmentRecipe.Decide(context, trajectory, suite))
                    foreach (var d in Datasets)
                    {
                        values.Add(AlignmentRecipe.Value(trajectory.SeriesKey, AlignmentRecipe.Top1Metric(d), it, AlignmentRecipe.Top1(it, d, fidelity)));
                        observations.Add(Evidence.Observe(trajectory.SeriesKey, $"correct_{d}", it.Iteration, AlignmentRecipe.Correct(it, d, fidelity)));
                    }
        return new FigureMeasurement(values, [NoClaim], suite.MissingImages) { Observations = observations };
    }

    static ClaimOutcome NoClaim => ClaimTest.NoClaim("ResNet-18 on silhouette, colour and false colour along its pruning trajectory",
        "the paper shows this plot without a qualitative statement of its own; its general alignment claim is judged in the human-alignment figure");

    public IReadOnlyList<string> Plot(FigureResults results, FigureFolder folder)
    {
        var files = new List<string>();
        foreach (var series in results.Values.Select(v => v.Series).Where(s => !Evidence.IsControl(s)).Distinct())
        {
            var sparsity = AlignmentRecipe.Sparsities(results, series, AlignmentRecipe.Top1Metric(Datasets[0]));
            using var plot = new SparsityPlot($"{series}: silhouette, colour and false colour", "top-1 accuracy", sparsity);
            var control = series + Trajectory.ControlSuffix;
            var images = 0;
            foreach (var d in Datasets)
            {
                var color = plot.TakeColor();
                images = Math.Max(images, Evidence.Shade(plot, results, series, $"correct_{d}", sparsity.Count, color));
                plot.Line(d, AlignmentRecipe.Series(results, series, AlignmentRecipe.Top1Metric(d)), color: color);
                if (results.Values.Any(v => v.Series == control))
                    plot.Line($"{d}, no-pruning control", AlignmentRecipe.Series(results, control, AlignmentRecipe.Top1Metric(d)), color: color.Lighten(0.5));
            }
            plot.Caption(Evidence.ShadingCaption(images));
            plot.ReferenceLines(AlignmentRecipe.ReferenceLines(sparsity));
            plot.LeftLimits(0, 1);
            files.Add(plot.Save(folder.Directory, $"tasks-{series}", width: 1000));
        }
        return files;
    }

    public double DefaultAbsTol(string metric) => 0.05;
}
