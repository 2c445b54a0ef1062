using System.Globalization;
using Repro.Config;
using Repro.Data;
using Repro.Measurement.Attribution;
using Repro.Measurement.Localization;
using Repro.Results;
using Repro.Training;
using ScottPlot;

namespace Repro.Figures;

/// <summary>
/// Experiment 1: how well each attribution method's heatmap lands on the object, along each model's pruning
/// trajectory. At every iteration the checkpoint explains its own top-1 class on the same fixed list of segmented
/// images; Relevance Mass and Rank Accuracy (Arras et al. 2020, the paper's pooling per method), the pointing
/// game and the energy pointing game are averaged over the images, per fidelity mode.
/// </summary>
public sealed class InterpretabilityFigure : IFigure
{
    /// <summary>The metrics one fidelity mode scores with, under their results names.</summary>
    public static IReadOnlyList<(string Name, ILocalizationMetric Metric)> DefaultMetrics(Fidelity fidelity) =>
    [
        ("rma", new RelevanceMassAccuracy(fidelity)),
        ("rra", new RelevanceRankAccuracy(fidelity)),
        ("pointing_game", new PointingGame()),
        ("energy_pointing_game", new EnergyPointingGame()),
    ];

    readonly Func<Fidelity, IReadOnlyList<(string Name, ILocalizationMetric Metric)>> Metrics;

    public InterpretabilityFigure() : this(DefaultMetrics) { }

    /// <summary>With other metric implementations under the same names: a test perturbs one to see the regression check fail.</summary>
    public InterpretabilityFigure(Func<Fidelity, IReadOnlyList<(string Name, ILocalizationMetric Metric)>> metrics) => Metrics = metrics;

    public string Name => "interpretability";
    public string Title => "Interpretability vs sparsity";
    public string Shows => "Relevance Mass Accuracy (RMA) and Relevance Rank Accuracy (RRA) of Grad-CAM, Guided Grad-CAM, Integrated Gradients inside SmoothGrad (and the attention map for ViTs) on segmented images (VOC2012's or the synthetic scenes'), with top-1 accuracy, at every pruning iteration.";

    /// <summary>The results series of one method's scores: model key / method / fidelity.</summary>
    public static string SeriesOf(string model, string method, Fidelity fidelity) =>
        $"{model}/{Slug(method)}/{fidelity.ToString().ToLowerInvariant()}";

    /// <summary>"Guided Grad-CAM" → "guided-grad-cam", "IG+SmoothGrad" → "ig-smoothgrad".</summary>
    public static string Slug(string method) => method.ToLowerInvariant().Replace(' ', '-').Replace('+', '-');

    public void Validate(Profile profile, bool listed, ProfileChecks checks) => InterpretabilityInputs.Validate(profile, Name, listed, checks);

    public IEnumerable<string> Deviations(Profile profile, Profile? paper) => InterpretabilityInputs.Deviations(profile, paper);

    public void Preflight(RunContext context, List<string> problems) => InterpretabilityInputs.Preflight(context, c => c.Images, problems);

    /// <summary>Series of the chance heatmaps the anchor compares with: "chance/uniform/paper", "chance/random/corrected".</summary>
    public static string ChanceSeries(string kind, Fidelity fidelity) => $"chance/{kind}/{fidelity.ToString().ToLowerInvariant()}";

    /// <summary>The metrics the claims and the anchor rest on, kept per image.</summary>
    static readonly string[] Judged = ["rma", "rra"];

    static readonly string[] ChanceKinds = ["uniform", "random"];

    public FigureMeasurement Measure(RunContext context, FigureFolder folder)
    {
        var profile = context.Profile;
        var config = InterpretabilityInputs.Config(profile);
        var fidelities = InterpretabilityInputs.Fidelities(profile);
        var images = InterpretabilityInputs.Images(context, config.Images);
        var masks = fidelities.ToDictionary(f => f, f => images.Select(i => i.Mask(f)).ToList());
        var values = new List<MeasuredValue>();
        var observations = new List<Observation>();
        var claims = new List<ClaimOutcome>();
        var anchors = new List<DenseAnchor>();

        // chance anchors: a uniform heatmap (every pixel the same) and a random one, scored like any method
        var random = new Random(Seeds.Derive(profile.DataSeed, 0x4E4F4953));
        var chance = new Dictionary<string, List<Heatmap>>
        {
            ["uniform"] = images.Select(i => new Heatmap(i.Height, i.Width, Enumerable.Repeat(1f, i.Height * i.Width).ToArray())).ToList(),
            ["random"] = images.Select(i => new Heatmap(i.Height, i.Width, Enumerable.Range(0, i.Height * i.Width).Select(_ => random.NextSingle()).ToArray())).ToList(),
        };
        foreach (var (kind, heatmaps) in chance)
            foreach (var fidelity in fidelities)
                foreach (var (name, metric) in Metrics(fidelity).Where(m => Judged.Contains(m.Name)))
                    observations.Add(Evidence.Observe(ChanceSeries(kind, fidelity), name, 0, PerImage(metric.Evaluate(heatmaps, masks[fidelity]), fidelity)));

        foreach (var model in profile.Models.Where(m => Explains(m, context.Log)))
        {
            var settings = InterpretabilityInputs.Settings(config, model);
            foreach (var trajectory in Trajectory.Arms(context, model))
            {
                InterpretabilityInputs.CheckLayer(trajectory, settings);
                foreach (var m in trajectory.Ensure())
                    Score(context, trajectory, m, images, masks, settings, values, observations);
            }
            foreach (var fidelity in fidelities)
                claims.Add(IntermediateBeatsDense(model, fidelity, values, observations));
            anchors.AddRange(InformativeAnchors(model, fidelities.Contains(Fidelity.Corrected) ? Fidelity.Corrected : Fidelity.Paper, values, observations));
        }
        claims.Add(BestSparsityDiffers(profile));
        return new FigureMeasurement(values, claims) { Observations = observations, Anchors = anchors };
    }

    /// <summary>Every method's heatmaps of one checkpoint on every image, scored by every metric and fidelity.</summary>
    void Score(RunContext context, Trajectory trajectory, IterationMetrics m, IReadOnlyList<ExplainedImage> images,
        Dictionary<Fidelity, List<ObjectMask>> masks, AttributionSettings settings, List<MeasuredValue> values, List<Observation> observations)
    {
        var sparsity = Math.Round(100 * m.MeasuredSparsity, 2);
        var key = trajectory.SeriesKey;
        var (net, ownedMasks) = trajectory.Load(m.Iteration);
        using var _ = ownedMasks;
        net.eval();
        var methods = InterpretabilityInputs.Methods(net, trajectory.Model, settings, InterpretabilityInputs.NoiseSeed(context.Profile), masks.Keys.ToList());
        // by position: a method with one variant per fidelity appears once per variant under the same name
        var heatmaps = methods.Select(_ => new List<Heatmap>()).ToList();
        foreach (var image in images)
        {
            using var input = InterpretabilityInputs.Input(image, net, context.Device);
            for (var k = 0; k < methods.Count; k++)
                heatmaps[k].Add(methods[k].OfImage(input, image.Height, image.Width));
        }
        for (var k = 0; k < methods.Count; k++)
        {
            var method = methods[k];
            foreach (var fidelity in masks.Keys.Where(method.Feeds))
            {
                var series = SeriesOf(key, method.Name, fidelity);
                var scored = 0;
                foreach (var (name, metric) in Metrics(fidelity))
                {
                    var summary = metric.Evaluate(heatmaps[k], masks[fidelity]);
                    scored = summary.Scored;
                    values.Add(Value(series, name, m.Iteration, sparsity, InterpretabilityInputs.Average(summary, fidelity)));
                    if (Judged.Contains(name)) observations.Add(Evidence.Observe(series, name, m.Iteration, PerImage(summary, fidelity)));
                }
                values.Add(Value(series, "images_scored", m.Iteration, sparsity, scored));
            }
            method.Dispose();
        }
        net.Dispose();
        values.Add(Value(key, "top1", m.Iteration, sparsity, m.Top1));
        context.Log($"  {key} iter {m.Iteration} ({sparsity:F1}% sparse): " + string.Join("; ",
            values.Where(v => v.Iteration == m.Iteration && v.Series.StartsWith(key + "/", StringComparison.Ordinal) && v.Metric is "rma" or "rra")
                .Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Series[(key.Length + 1)..]} {v.Metric} {v.Value:F3}"))));
    }

    /// <summary>Per-image scores as the fidelity averages them: paper counts an image without object pixels as 0 (errata 2), corrected leaves it out (NaN).</summary>
    static IEnumerable<double> PerImage(MetricSummary summary, Fidelity fidelity) =>
        summary.PerImage.Select(v => v ?? (fidelity == Fidelity.Paper ? 0 : double.NaN));

    static MeasuredValue Value(string series, string metric, int iteration, double sparsity, double value) =>
        new() { Series = series, Metric = metric, Iteration = iteration, Sparsity = sparsity, Value = value };

    static List<MeasuredValue> Series(IEnumerable<MeasuredValue> values, string series, string metric) =>
        values.ByIteration(series, metric);

    /// <summary>Method slugs scored for a model in one fidelity mode, in measurement order.</summary>
    static List<string> MethodsIn(IEnumerable<MeasuredValue> values, string model, Fidelity fidelity)
    {
        var suffix = "/" + fidelity.ToString().ToLowerInvariant();
        return values.Select(v => v.Series).Where(s => s.StartsWith(model + "/", StringComparison.Ordinal) && s.EndsWith(suffix, StringComparison.Ordinal))
            .Select(s => s[(model.Length + 1)..^suffix.Length]).Distinct().ToList();
    }

    /// <summary>
    /// The paper's sweet spot as a test: some intermediate sparsity (neither dense nor the last) localises better, in RMA or
    /// RRA, than the dense model and than the control at the same iteration, for some method. Holm over methods × metrics
    /// × sparsities. Only methods whose dense heatmaps beat both chance heatmaps on both metrics enter the family; with none,
    /// the claim is uninformative.
    /// </summary>
    static ClaimOutcome IntermediateBeatsDense(ModelConfig model, Fidelity fidelity, List<MeasuredValue> values, List<Observation> observations)
    {
        var name = fidelity.ToString().ToLowerInvariant();
        var claim = $"{model.Key} ({name} ground truth): some intermediate sparsity localises better (RMA or RRA) than the dense model and the no-pruning control";
        var last = values.Where(v => v.Series == model.Key && v.Metric == "top1").Max(v => v.Iteration);
        var family = new List<Comparison>();
        // every method's comparisons, so the report still shows the effect when no method passes its anchor
        var all = new List<Comparison>();
        var anchors = new List<AnchorResult>();
        foreach (var method in MethodsIn(values, model.Key, fidelity))
        {
            var series = SeriesOf(model.Key, method, fidelity);
            var anchor = Anchors.All(Judged.SelectMany(metric => ChanceKinds.Select(kind =>
            {
                var (dense, chance) = Evidence.Paired(observations, (series, metric, 0), (ChanceSeries(kind, fidelity), metric, 0))!.Value;
                return Anchors.Above($"{method} {metric.ToUpperInvariant()}", dense, chance, $"{kind} heatmap");
            })).ToArray());
            anchors.Add(anchor);
            var comparisons = Judged.SelectMany(metric => Evidence.Comparisons(observations, series, Evidence.ControlOf(model.Key, series), metric,
                Evidence.Intermediate(last), k => Evidence.At($"{method} {metric.ToUpperInvariant()}", values, series, k))).ToList();
            all.AddRange(comparisons);
            if (anchor.Passed) family.AddRange(comparisons);
        }
        var passed = anchors.Where(a => a.Passed).ToList();
        var gate = passed.Count > 0
            ? new AnchorResult(true, $"{passed.Count} of {anchors.Count} methods beat both chance heatmaps on the dense model: " + string.Join("; ", anchors.Select(a => a.Description)))
            : new AnchorResult(false, "no method's dense heatmaps beat both a uniform and a random heatmap: " + string.Join("; ", anchors.Select(a => a.Description)));
        return ClaimTest.Judge(claim, gate.Passed ? family : all, gate);
    }

    /// <summary>The embedded data's design goal: every method's dense RMA at least this multiple of a uniform heatmap's.</summary>
    public const double InformativeRmaFactor = 2;

    /// <summary>Each method's dense RMA against the uniform heatmap's on the same images (the corrected ground truth when measured).</summary>
    static IEnumerable<DenseAnchor> InformativeAnchors(ModelConfig model, Fidelity fidelity, List<MeasuredValue> values, List<Observation> observations)
    {
        foreach (var method in MethodsIn(values, model.Key, fidelity))
        {
            var (dense, uniform) = Evidence.Paired(observations, (SeriesOf(model.Key, method, fidelity), "rma", 0), (ChanceSeries("uniform", fidelity), "rma", 0))!.Value;
            yield return DenseAnchor.Ratio($"{model.Key}: dense {method} RMA ({fidelity.ToString().ToLowerInvariant()} ground truth)",
                dense.SelectMany(x => x).Average(), "the uniform heatmap", uniform.SelectMany(x => x).Average(), InformativeRmaFactor);
        }
    }

    /// <summary>The paper's second statement: where the sweet spot lies depends on the architecture.</summary>
    static ClaimOutcome BestSparsityDiffers(Profile profile)
    {
        const string Claim = "the best sparsity (highest RMA) differs between architectures";
        var architectures = profile.Models.Where(m => Explains(m, _ => { })).Select(m => m.Architecture).Distinct().ToList();
        return ClaimTest.NoClaim(Claim, architectures.Count < 2
            ? $"not testable with one architecture ({string.Join(", ", architectures)} only in profile '{profile.Name}')"
            : "not judged: the suite has no test of where each architecture's best sparsity lies; the plots show each model's curve");
    }

    static readonly LinePattern[] Patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];
    static readonly Color Blue = new("#1f77b4"), Red = new("#d62728"), Green = new("#2ca02c");

    static readonly Color LightBlue = new("#9ecae1"), LightRed = new("#f4a582");

    /// <summary>
    /// One panel per model and fidelity mode: RMA (blue) and RRA (red) per method (line style), each with its interval over
    /// the images shaded, the no-pruning control in a light tone of the same colour, top-1 on the right.
    /// </summary>
    public IReadOnlyList<string> Plot(FigureResults results, FigureFolder folder)
    {
        var files = new List<string>();
        var models = results.Values.Where(v => v.Metric == "top1").Select(v => v.Series)
            .Where(s => !Evidence.IsControl(s)).Distinct().ToList();
        var fidelities = Enum.GetValues<Fidelity>().Where(f => f != Fidelity.Both);
        foreach (var model in models)
        {
            var top1 = Series(results.Values, model, "top1");
            var control = model + Trajectory.ControlSuffix;
            var hasControl = results.Values.Any(v => v.Series == control);
            foreach (var fidelity in fidelities)
            {
                var methods = MethodsIn(results.Values, model, fidelity);
                if (methods.Count == 0) continue;
                var name = fidelity.ToString().ToLowerInvariant();
                using var plot = new SparsityPlot($"{Title}: {model} ({name} ground truth)", "RMA / RRA", top1.Select(v => v.Sparsity).ToList());
                var images = 0;
                for (var k = 0; k < methods.Count; k++)
                {
                    var series = $"{model}/{methods[k]}/{name}";
                    var pattern = Patterns[k % Patterns.Length];
                    foreach (var (metric, color, light) in new[] { ("rma", Blue, LightBlue), ("rra", Red, LightRed) })
                    {
                        images = Math.Max(images, Evidence.Shade(plot, results, series, metric, top1.Count, color));
                        plot.Line($"{metric.ToUpperInvariant()} {methods[k]}", Series(results.Values, series, metric).Select(v => v.Value).ToList(), pattern: pattern, color: color);
                        if (hasControl)
                            plot.Line($"{metric.ToUpperInvariant()} {methods[k]}, control",
                                Series(results.Values, Evidence.ControlOf(model, series), metric).Select(v => v.Value).ToList(), pattern: pattern, color: light);
                    }
                }
                plot.Line("top-1 accuracy", top1.Select(v => v.Value).ToList(), rightAxis: true, color: Green);
                plot.Caption(Evidence.ShadingCaption(images) + (hasControl ? "; light: control" : ""));
                plot.RightLabel("top-1 accuracy");
                plot.LeftLimits(0, 1);
                plot.RightLimits(0, 1);
                files.Add(plot.Save(folder.Directory, $"interpretability-{model}-{name}", height: 600));
            }
        }
        return files;
    }

    /// <summary>
    /// Whether experiment 1 explains <paramref name="model"/>: the paper explains ResNets and ViTs only, so other
    /// architectures a profile trains for the other figures (Swin-V2-T) are skipped, saying so.
    /// </summary>
    public static bool Explains(ModelConfig model, Action<string> log)
    {
        var explained = model.Architecture.StartsWith("resnet", StringComparison.Ordinal) || model.Architecture.StartsWith("vit", StringComparison.Ordinal);
        if (!explained) log($"  {model.Key}: skipped (the paper explains ResNets and ViTs only)");
        return explained;
    }

    public double DefaultAbsTol(string metric) => metric switch
    {
        "top1" => 0.05,
        "images_scored" => 0,
        "pointing_game" => 0.1,
        _ => 0.02,
    };
}
