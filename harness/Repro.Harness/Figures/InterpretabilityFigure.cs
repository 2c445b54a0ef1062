using System.Globalization;
using Repro.Config;
using Repro.Measurement.Localization;
using Repro.Results;
using Repro.Training;
using ScottPlot;

namespace Repro.Figures;

/// <summary>
/// Experiment 1: how well each attribution method's heatmap lands on the object, along each model's pruning
/// trajectory. At every iteration the checkpoint explains its own top-1 class on the same fixed list of scene
/// images; Relevance Mass and Rank Accuracy (Arras et al. 2020, the paper's pooling per method), the pointing
/// game and the energy pointing game are averaged over the images, per fidelity mode.
/// </summary>
public sealed class InterpretabilityFigure : IFigure
{
    /// <summary>The scored metrics under their results names.</summary>
    public static readonly IReadOnlyList<(string Name, ILocalizationMetric Metric)> DefaultMetrics =
    [
        ("rma", new RelevanceMassAccuracy()),
        ("rra", new RelevanceRankAccuracy()),
        ("pointing_game", new PointingGame()),
        ("energy_pointing_game", new EnergyPointingGame()),
    ];

    readonly IReadOnlyList<(string Name, ILocalizationMetric Metric)> Metrics;

    public InterpretabilityFigure() : this(DefaultMetrics) { }

    /// <summary>With other metric implementations under the same names: a test perturbs one to see the regression check fail.</summary>
    public InterpretabilityFigure(IReadOnlyList<(string Name, ILocalizationMetric Metric)> metrics) => Metrics = metrics;

    public string Name => "interpretability";
    public string Title => "Interpretability vs sparsity";
    public string Shows => "Relevance Mass Accuracy (RMA) and Relevance Rank Accuracy (RRA) of Grad-CAM, Guided Grad-CAM, Integrated Gradients inside SmoothGrad (and the attention map for ViTs) on segmented scene images, with top-1 accuracy, at every pruning iteration.";

    /// <summary>The results series of one method's scores: model key / method / fidelity.</summary>
    public static string SeriesOf(string model, string method, Fidelity fidelity) =>
        $"{model}/{Slug(method)}/{fidelity.ToString().ToLowerInvariant()}";

    /// <summary>"Guided Grad-CAM" → "guided-grad-cam", "IG+SmoothGrad" → "ig-smoothgrad".</summary>
    public static string Slug(string method) => method.ToLowerInvariant().Replace(' ', '-').Replace('+', '-');

    public void Validate(Profile profile, bool listed, ProfileChecks checks) => InterpretabilityInputs.Validate(profile, Name, listed, checks);

    public IEnumerable<string> Deviations(Profile profile, Profile? paper) => InterpretabilityInputs.Deviations(profile, paper);

    public void Preflight(RunContext context, List<string> problems) => InterpretabilityInputs.Preflight(context, c => c.Images, problems);

    public FigureMeasurement Measure(RunContext context, FigureFolder folder)
    {
        var profile = context.Profile;
        var config = InterpretabilityInputs.Config(profile);
        var settings = InterpretabilityInputs.Settings(config);
        var fidelities = InterpretabilityInputs.Fidelities(profile);
        var images = InterpretabilityInputs.Images(context, config.Images);
        var masks = fidelities.ToDictionary(f => f, f => images.Select(i => i.Mask(f)).ToList());
        var values = new List<MeasuredValue>();
        var claims = new List<ClaimOutcome>();
        var best = new List<(string Model, string Method, Fidelity Fidelity, double Sparsity, int Iteration)>();

        foreach (var model in profile.Models)
        {
            var trajectory = new Trajectory(context, model);
            InterpretabilityInputs.CheckLayer(trajectory, settings);
            var metrics = trajectory.Ensure();
            foreach (var m in metrics)
            {
                var sparsity = Math.Round(100 * m.MeasuredSparsity, 2);
                var (net, ownedMasks) = trajectory.Load(m.Iteration);
                using var _ = ownedMasks;
                net.eval();
                var methods = InterpretabilityInputs.Methods(net, model, settings, InterpretabilityInputs.NoiseSeed(profile));
                var heatmaps = methods.ToDictionary(h => h.Name, _ => new List<Heatmap>());
                foreach (var image in images)
                {
                    using var input = InterpretabilityInputs.Input(image, net, context.Device);
                    foreach (var method in methods)
                        heatmaps[method.Name].Add(method.OfImage(input, image.Height, image.Width));
                }
                foreach (var method in methods)
                {
                    foreach (var fidelity in fidelities)
                    {
                        var series = SeriesOf(model.Key, method.Name, fidelity);
                        var scored = 0;
                        foreach (var (name, metric) in Metrics)
                        {
                            var summary = metric.Evaluate(heatmaps[method.Name], masks[fidelity]);
                            scored = summary.Scored;
                            values.Add(Value(series, name, m.Iteration, sparsity, InterpretabilityInputs.Average(summary, fidelity)));
                        }
                        values.Add(Value(series, "images_scored", m.Iteration, sparsity, scored));
                    }
                    method.Dispose();
                }
                net.Dispose();
                values.Add(Value(model.Key, "top1", m.Iteration, sparsity, m.Top1));
                context.Log($"  {model.Key} iter {m.Iteration} ({sparsity:F1}% sparse): " + string.Join("; ",
                    values.Where(v => v.Iteration == m.Iteration && v.Series.StartsWith(model.Key + "/") && v.Metric is "rma" or "rra")
                        .Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Series[(model.Key.Length + 1)..]} {v.Metric} {v.Value:F3}"))));
            }
            foreach (var fidelity in fidelities)
                foreach (var method in MethodsIn(values, model.Key, fidelity))
                {
                    var series = SeriesOf(model.Key, method, fidelity);
                    claims.Add(IntermediateBeatsDense(series, values));
                    var top = Series(values, series, "rma").MaxBy(v => v.Value)!;
                    best.Add((model.Key, method, fidelity, top.Sparsity, top.Iteration));
                }
        }
        claims.AddRange(BestSparsityDiffers(profile, best));
        return new FigureMeasurement(values, claims);
    }

    static MeasuredValue Value(string series, string metric, int iteration, double sparsity, double value) =>
        new() { Series = series, Metric = metric, Iteration = iteration, Sparsity = sparsity, Value = value };

    static List<MeasuredValue> Series(IEnumerable<MeasuredValue> values, string series, string metric) =>
        values.ByIteration(series, metric);

    /// <summary>Method slugs scored for a model in one fidelity mode, in measurement order.</summary>
    static List<string> MethodsIn(IEnumerable<MeasuredValue> values, string model, Fidelity fidelity)
    {
        var suffix = "/" + fidelity.ToString().ToLowerInvariant();
        return values.Select(v => v.Series).Where(s => s.StartsWith(model + "/") && s.EndsWith(suffix))
            .Select(s => s[(model.Length + 1)..^suffix.Length]).Distinct().ToList();
    }

    /// <summary>The paper's sweet spot: a pruned model, neither dense nor the last, localising better than the dense one.</summary>
    static ClaimOutcome IntermediateBeatsDense(string series, List<MeasuredValue> values)
    {
        var rma = Series(values, series, "rma");
        var rra = Series(values, series, "rra");
        var intermediate = Enumerable.Range(1, Math.Max(0, rma.Count - 2)).ToList();
        var claim = $"{series}: some intermediate sparsity scores higher RMA or RRA than the dense model";
        if (intermediate.Count == 0)
            return new ClaimOutcome { Claim = claim, Verdict = (false) ? Verdict.Supported : Verdict.Inconclusive, Evidence = "trajectory too short to have an intermediate sparsity" };
        var bestRma = intermediate.MaxBy(k => rma[k].Value);
        var bestRra = intermediate.MaxBy(k => rra[k].Value);
        return new ClaimOutcome
        {
            Claim = claim,
            Verdict = (rma[bestRma].Value > rma[0].Value || rra[bestRra].Value > rra[0].Value) ? Verdict.Supported : Verdict.Inconclusive,
            Evidence = string.Create(CultureInfo.InvariantCulture,
                $"dense RMA {rma[0].Value:F3}, RRA {rra[0].Value:F3}; best intermediate RMA {rma[bestRma].Value:F3} at {rma[bestRma].Sparsity:0.#}% sparsity, " +
                $"RRA {rra[bestRra].Value:F3} at {rra[bestRra].Sparsity:0.#}%"),
        };
    }

    /// <summary>The sparsity of each model's highest RMA, compared between architectures, per method and fidelity.</summary>
    static IEnumerable<ClaimOutcome> BestSparsityDiffers(Profile profile, List<(string Model, string Method, Fidelity Fidelity, double Sparsity, int Iteration)> best)
    {
        const string Claim = "the best sparsity (highest RMA) differs between architectures";
        var architectures = profile.Models.Select(m => m.Architecture).Distinct().ToList();
        if (architectures.Count < 2)
        {
            yield return new ClaimOutcome
            {
                Claim = Claim, Verdict = (false) ? Verdict.Supported : Verdict.Inconclusive,
                Evidence = $"not applicable with one architecture ({architectures[0]} only in profile '{profile.Name}')",
            };
            yield break;
        }
        foreach (var group in best.GroupBy(b => (b.Method, b.Fidelity)).Where(g => g.Count() > 1))
            yield return new ClaimOutcome
            {
                Claim = $"{Claim} ({group.Key.Method}, {group.Key.Fidelity.ToString().ToLowerInvariant()})",
                Verdict = (group.Select(b => b.Sparsity).Distinct().Count() > 1) ? Verdict.Supported : Verdict.Inconclusive,
                Evidence = string.Join("; ", group.Select(b => string.Create(CultureInfo.InvariantCulture,
                    $"{b.Model} best at {b.Sparsity:0.#}% (iteration {b.Iteration})"))),
            };
    }

    static readonly LinePattern[] Patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];
    static readonly Color Blue = new("#1f77b4"), Red = new("#d62728"), Green = new("#2ca02c");

    /// <summary>One panel per model and fidelity mode: RMA (blue) and RRA (red) per method (line style), top-1 on the right.</summary>
    public IReadOnlyList<string> Plot(FigureResults results, FigureFolder folder)
    {
        var files = new List<string>();
        var models = results.Values.Where(v => v.Metric == "top1").Select(v => v.Series).Distinct().ToList();
        var fidelities = Enum.GetValues<Fidelity>().Where(f => f != Fidelity.Both);
        foreach (var model in models)
        {
            var top1 = Series(results.Values, model, "top1");
            foreach (var fidelity in fidelities)
            {
                var methods = MethodsIn(results.Values, model, fidelity);
                if (methods.Count == 0) continue;
                var name = fidelity.ToString().ToLowerInvariant();
                using var plot = new SparsityPlot($"{Title}: {model} ({name} ground truth)", "RMA / RRA", top1.Select(v => v.Sparsity).ToList());
                for (var k = 0; k < methods.Count; k++)
                {
                    var series = $"{model}/{methods[k]}/{name}";
                    var pattern = Patterns[k % Patterns.Length];
                    plot.Line($"RMA {methods[k]}", Series(results.Values, series, "rma").Select(v => v.Value).ToList(), pattern: pattern, color: Blue);
                    plot.Line($"RRA {methods[k]}", Series(results.Values, series, "rra").Select(v => v.Value).ToList(), pattern: pattern, color: Red);
                }
                plot.Line("top-1 accuracy", top1.Select(v => v.Value).ToList(), rightAxis: true, color: Green);
                plot.RightLabel("top-1 accuracy");
                plot.LeftLimits(0, 1);
                plot.RightLimits(0, 1);
                files.Add(plot.Save(folder.Directory, $"interpretability-{model}-{name}"));
            }
        }
        return files;
    }

    public double DefaultAbsTol(string metric) => metric switch
    {
        "top1" => 0.05,
        "images_scored" => 0,
        "pointing_game" => 0.1,
        _ => 0.02,
    };
}
