using Repro.Config;
using Repro.Results;
using Repro.Training;

namespace Repro.Figures;

/// <summary>
/// The paper's focused rotation plot: ResNet-18 and ResNet-50 top-1 accuracy on the model-vs-human rotation set vs
/// pruning step, overall (the benchmark's 90/180/270° conditions) and per rotation. Plots the ResNets the profile
/// trains and says which of the two is absent.
/// </summary>
public sealed class RotationFigure : IAlignmentFigure
{
    const string Dataset = "rotation";
    static readonly string[] PaperModels = ["resnet18", "resnet50"];

    public string Name => "rotation";
    public string Title => "ResNet-18 vs ResNet-50 on rotated images vs pruning step";
    public string Shows => "Top-1 accuracy on the model-vs-human rotation set (90, 180 and 270 degrees) at every pruning step, for ResNet-18 and ResNet-50.";

    public IReadOnlyList<string> RequiredDatasets => [Dataset];

    public void Preflight(RunContext context, List<string> problems) => AlignmentRecipe.Preflight(context, [Dataset], problems);

    public FigureMeasurement Measure(RunContext context, FigureFolder folder)
    {
        var suite = AlignmentRecipe.OpenSuite(context, [Dataset]);
        var fidelity = AlignmentRecipe.Top1Fidelity(context.Profile);
        var values = new List<MeasuredValue>();
        var observations = new List<Observation>();
        var resnets = context.Profile.Models.Where(m => PaperModels.Contains(m.Architecture)).ToList();
        foreach (var model in resnets)
            foreach (var trajectory in Trajectory.Arms(context, model))
                foreach (var it in AlignmentRecipe.Decide(context, trajectory, suite))
                {
                    var series = trajectory.SeriesKey;
                    values.Add(AlignmentRecipe.Value(series, AlignmentRecipe.Top1Metric(Dataset), it, AlignmentRecipe.Top1(it, Dataset, fidelity)));
                    observations.Add(Evidence.Observe(series, $"correct_{Dataset}", it.Iteration, AlignmentRecipe.Correct(it, Dataset, fidelity)));
                    foreach (var (condition, accuracy) in Measurement.Alignment.Metrics.Top1Accuracy.PerCondition(it.On(Dataset)))
                        values.Add(AlignmentRecipe.Value(series, $"top1_{Dataset}_{condition}", it, accuracy));
                }
        var present = resnets.Select(m => m.Architecture).Distinct().ToList();
        var absent = PaperModels.Except(present).ToList();
        var claim = ClaimTest.NoClaim("ResNet-18 and ResNet-50 on rotated images along their pruning trajectories",
            "the paper shows this comparison without a qualitative statement of its own; its general alignment claim is judged in the human-alignment figure" +
            (absent.Count == 0 ? "" : $". {string.Join(" and ", absent.Select(Pretty))} absent from profile '{context.Profile.Name}'; profiles that train both: {string.Join(", ", ProfilesWithBoth(context.RepoRoot))}"));
        return new FigureMeasurement(values, [claim], suite.MissingImages) { Observations = observations };
    }

    static IEnumerable<string> ProfilesWithBoth(string repoRoot)
    {
        foreach (var name in ProfileLoader.Available(repoRoot))
        {
            Profile profile;
            try { profile = ProfileLoader.Load(repoRoot, name); }
            catch (ConfigException) { continue; }   // another profile's mistake is not this figure's
            if (PaperModels.All(a => profile.Models.Any(m => m.Architecture == a))) yield return name;
        }
    }

    static string Pretty(string architecture) => architecture == "resnet18" ? "ResNet-18" : "ResNet-50";

    public IReadOnlyList<string> Plot(FigureResults results, FigureFolder folder)
    {
        var metric = AlignmentRecipe.Top1Metric(Dataset);
        var series = results.Values.Where(v => v.Metric == metric).Select(v => v.Series)
            .Where(s => !Evidence.IsControl(s)).Distinct().ToList();
        if (series.Count == 0) return [];
        var longest = series.Select(s => AlignmentRecipe.Sparsities(results, s, metric)).MaxBy(s => s.Count)!;
        var absent = PaperModels.Where(a => !series.Any(s => s.StartsWith(a))).Select(Pretty).ToList();
        using var plot = new SparsityPlot(absent.Count == 0 ? Title : $"{Title}\n({string.Join(", ", absent)} absent from profile '{results.Profile}')",
            "top-1 accuracy (rotation)", longest);
        var images = 0;
        foreach (var s in series)
        {
            var color = plot.TakeColor();
            images = Math.Max(images, Evidence.Shade(plot, results, s, $"correct_{Dataset}", longest.Count, color));
            plot.Line($"{s}: 90/180/270°", AlignmentRecipe.Series(results, s, metric), color: color);
            if (results.Values.Any(v => v.Series == s + Trajectory.ControlSuffix))
                plot.Line($"{s}: 90/180/270°, no-pruning control", AlignmentRecipe.Series(results, s + Trajectory.ControlSuffix, metric), color: color.Lighten(0.5));
            foreach (var condition in results.Values.Where(v => v.Series == s && v.Metric.StartsWith(metric + "_")).Select(v => v.Metric).Distinct())
                plot.Line($"{s}: {condition[(metric.Length + 1)..]}°", AlignmentRecipe.Series(results, s, condition), pattern: ScottPlot.LinePattern.Dotted);
        }
        plot.Caption(Evidence.ShadingCaption(images));
        plot.ReferenceLines(AlignmentRecipe.ReferenceLines(longest));
        plot.LeftLimits(0, 1);
        return [plot.Save(folder.Directory, "rotation", width: 1000)];
    }

    public double DefaultAbsTol(string metric) => 0.05;
}
