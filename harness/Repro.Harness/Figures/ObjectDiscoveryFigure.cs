using Repro.Config;
using Repro.Data;
using Repro.Data.Synthetic;
using Repro.Data.Voc;
using Repro.Measurement.Discovery;
using Repro.Models;
using Repro.Results;
using Repro.Training;

namespace Repro.Figures;

/// <summary>
/// Experiment 2: unsupervised object discovery with LOST on each pruned classifier's layer4 features,
/// scored by CorLoc (IoU ≥ 0.5 with any ground-truth box) and mean IoU, per split, along the trajectory.
/// The centred-box baseline is scored on the same images as the sanity anchor. Per-image predictions are
/// kept per iteration under reports/&lt;profile&gt;/object-discovery/predictions/.
/// </summary>
public sealed class ObjectDiscoveryFigure : IFigure
{
    /// <summary>VOC splits scored, as the paper does for VOC12 (trainval and val).</summary>
    static readonly string[] Splits = ["trainval", "val"];

    public string Name => "object-discovery";
    public string Title => "Unsupervised object discovery (LOST) vs sparsity";
    public string Shows => "CorLoc and mean IoU of LOST on each pruned model's layer4 features, per split, with the centred-box baseline and top-1 accuracy.";

    public FigureMeasurement Measure(RunContext context)
    {
        var profile = context.Profile;
        var scenesConfig = profile.Data.Scenes
            ?? throw new ConfigException($"profile '{profile.Name}': the object-discovery figure needs data.scenes (synthetic VOC-layout scenes)");
        var scenesDir = SyntheticScenes.Ensure(context.CacheRoot, scenesConfig, profile.Seed, context.Log);
        var fidelity = profile.Fidelity == Fidelity.Both ? Fidelity.Paper : profile.Fidelity;
        var evaluation = new CorLocEvaluation(new CorLocOptions { NoHard = profile.Discovery.NoHard });
        var values = new List<MeasuredValue>();
        var claims = new List<ClaimOutcome>();
        var outDir = Path.Combine(FigureRunner.ReportDirectory(context.RepoRoot, profile.Name), Name, "predictions");

        var images = Splits.ToDictionary(s => s, s => Load(SyntheticScenes.OpenVoc(scenesDir, scenesConfig, s)));
        foreach (var split in Splits)
        {
            var baseline = CorLocSummary.Of(evaluation.Run(new CentredBoxBaseline(), images[split]));
            values.Add(Value("centred-box", split, "corloc", 0, 0, baseline.CorLoc));
        }

        foreach (var model in profile.Models.Where(m => m.Architecture.StartsWith("resnet")))
        {
            var trajectory = new Trajectory(context, model);
            var metrics = trajectory.Ensure();
            var corloc = new Dictionary<string, List<double>>();
            foreach (var m in metrics)
            {
                var sparsity = Math.Round(100 * m.MeasuredSparsity, 2);
                var (net, masks) = trajectory.Load(m.Iteration);
                using var _ = masks;
                var backbone = ResNetLayer4Features.ForDiscovery((ResNet)net, model, context.Data.NumClasses, profile.Discovery.Stride, fidelity);
                var discoverer = new LostDiscoverer(new ResNetLayer4Features(backbone), new Lost(profile.Discovery.KPatches));
                foreach (var split in Splits)
                {
                    var rows = evaluation.Run(discoverer, images[split]);
                    var summary = CorLocSummary.Of(rows);
                    new DiscoveryPredictionsFile
                    {
                        Method = "lost", Dataset = $"synthetic scenes {split}", Model = model.Key, Iteration = m.Iteration,
                        Sparsity = sparsity, Features = discoverer.Features.Description, Summary = summary, Images = rows,
                    }.Save(DiscoveryPredictionsFile.PathFor(Path.Combine(outDir, $"{model.Key}-{split}"), m.Iteration));
                    values.Add(Value(model.Key, split, "corloc", m.Iteration, sparsity, summary.CorLoc));
                    values.Add(Value(model.Key, split, "mean_iou", m.Iteration, sparsity, summary.MeanIou));
                    (corloc.TryGetValue(split, out var list) ? list : corloc[split] = []).Add(summary.CorLoc);
                    context.Log($"  {model.Key} iter {m.Iteration} ({sparsity:F1}% sparse) {split}: {summary}");
                }
                if (!ReferenceEquals(backbone, net)) backbone.Dispose();
                net.Dispose();
                values.Add(new MeasuredValue { Series = model.Key, Metric = "top1", Iteration = m.Iteration, Sparsity = sparsity, Value = m.Top1 });
            }
            foreach (var (split, series) in corloc)
            {
                var baseline = values.Single(v => v.Series == $"centred-box/{split}").Value;
                claims.Add(new ClaimOutcome
                {
                    Claim = $"{model.Key} {split}: the dense model's LOST boxes beat the centred-box baseline (sanity anchor)",
                    Reproduced = series[0] > baseline,
                    Evidence = $"dense CorLoc {series[0]:P1}, centred box {baseline:P1}",
                });
                var best = series.Select((c, k) => (c, k)).Skip(1).MaxBy(t => t.c);
                claims.Add(new ClaimOutcome
                {
                    Claim = $"{model.Key} {split}: moderate pruning raises CorLoc above the dense model",
                    Reproduced = series.Count > 1 && best.c > series[0],
                    Evidence = series.Count > 1 ? $"dense {series[0]:P1}; best pruned {best.c:P1} at iteration {best.k}" : "no pruned iteration",
                });
            }
        }
        return new FigureMeasurement(values, claims);
    }

    static MeasuredValue Value(string series, string split, string metric, int iteration, double sparsity, double value) =>
        new() { Series = $"{series}/{split}", Metric = metric, Iteration = iteration, Sparsity = sparsity, Value = value };

    static List<DiscoveryImage> Load(VocDataset dataset) =>
        dataset.Samples.Zip(dataset.ToLocalisation(), (sample, loc) => new DiscoveryImage(loc.Id, VocDataset.ReadImage(sample), loc.Objects)).ToList();

    public IReadOnlyList<string> Plot(FigureResults results, string directory)
    {
        var files = new List<string>();
        var models = results.Values.Where(v => v.Metric == "top1").Select(v => v.Series).Distinct().ToList();
        foreach (var model in models)
        {
            var sparsity = results.Values.Where(v => v.Series == model && v.Metric == "top1").OrderBy(v => v.Iteration).Select(v => v.Sparsity).ToList();
            var plot = new SparsityPlot($"{Title}: {model}", "CorLoc", sparsity);
            foreach (var split in Splits)
            {
                plot.Line($"CorLoc {split}", Series(results, $"{model}/{split}", "corloc"));
                var baseline = results.Values.Single(v => v.Series == $"centred-box/{split}" && v.Metric == "corloc").Value;
                plot.Line($"centred box {split}", Enumerable.Repeat(baseline, sparsity.Count).ToList(), pattern: ScottPlot.LinePattern.Dotted);
            }
            plot.Line("top-1 accuracy", Series(results, model, "top1"), rightAxis: true, color: new ScottPlot.Color("#2ca02c"));
            plot.RightLabel("top-1 accuracy");
            plot.LeftLimits(0, 1);
            plot.RightLimits(0, 1);
            files.Add(plot.Save(directory, $"corloc-{model}"));
        }
        return files;
    }

    static List<double> Series(FigureResults r, string series, string metric) =>
        r.Values.Where(v => v.Series == series && v.Metric == metric).OrderBy(v => v.Iteration).Select(v => v.Value).ToList();

    public double DefaultAbsTol(string metric) => metric switch
    {
        "top1" => 0.05,
        _ => 0.1,
    };
}
