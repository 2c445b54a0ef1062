using System.Diagnostics;
using Repro.Config;
using Repro.Data;
using Repro.Data.ModelVsHuman;
using Repro.Data.Synthetic;
using Repro.Measurement.Alignment.Evaluation;
using Repro.Measurement.Alignment.Metrics;
using Repro.Results;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Figures;

/// <summary>A figure measured on the model-vs-human sets of <see cref="Profile.Alignment"/>.</summary>
public interface IAlignmentFigure : IFigure
{
    /// <summary>Datasets the figure plots; the profile's alignment.datasets must include them.</summary>
    IReadOnlyList<string> RequiredDatasets { get; }

    void IFigure.Validate(Profile profile, bool listed, ProfileChecks checks) => AlignmentRecipe.Validate(profile, this, listed, checks);

    IEnumerable<string> IFigure.Deviations(Profile profile, Profile? paper) => AlignmentRecipe.Deviations(profile, paper);
}

/// <summary>One model at one pruning iteration: its decisions on every dataset of the suite.</summary>
public sealed record IterationDecisions(int Iteration, double SparsityPercent, IReadOnlyList<DatasetDecisions> Datasets)
{
    public IReadOnlyList<Decision> On(string dataset) => Datasets.Single(d => d.Dataset == dataset).Decisions;
}

/// <summary>
/// The steps the alignment figures share: open the model-vs-human sets (generated synthetic ones, or the release under
/// &lt;data root&gt;/model-vs-human), run every checkpoint of a trajectory over them in batches, and name metrics by
/// what they compare with, so that a comparison with the dense model is never reported as human alignment.
/// </summary>
public static class AlignmentRecipe
{
    /// <summary>Folder of the benchmark's release under the data root (datasets/ and raw-data/ inside).</summary>
    public const string ReleaseFolder = "model-vs-human";

    public static OodSuite OpenSuite(RunContext context, IReadOnlyList<string> datasets)
    {
        var alignment = Config(context.Profile);
        var (datasetsRoot, rawData, categories) = Locate(context, generate: true);
        var sw = Stopwatch.StartNew();
        var suite = OodSuite.Open(datasetsRoot!, rawData, datasets, categories, alignment.ParametricImagesPerClass, alignment.NonParametricImagesPerClass,
            alignment.MissingImages);
        if (suite.MissingImages.Count > 0)
            context.Log($"model-vs-human: {suite.MissingImages.Count} missing images skipped (alignment.missing_images: skip), e.g. {suite.MissingImages[0]}");
        context.Log($"model-vs-human: {suite.ImageCount} images in {datasets.Count} datasets read from {datasetsRoot} in {sw.Elapsed.TotalSeconds:F1} s; " +
                    $"models compared {ReferenceGroup.Describe(suite.Reference)}");
        return suite;
    }

    /// <summary>
    /// Before any training: every dataset folder the figure reads (the release's, or the generated sets when already in
    /// the cache), its images' names and headers, and no image missing that the index or the human trials name. Adds each problem found.
    /// </summary>
    public static void Preflight(RunContext context, IReadOnlyList<string> datasets, List<string> problems)
    {
        try
        {
            var alignment = Config(context.Profile);
            var (datasetsRoot, rawData, categories) = Locate(context, generate: false);
            if (datasetsRoot == null) return;
            foreach (var name in datasets)
                try
                {
                    OodSuite.Missing(datasetsRoot, rawData, OodSuite.Trials(rawData, name),
                        ModelVsHumanDataset.Open(datasetsRoot, name, categories: categories), alignment.MissingImages);
                }
                catch (DataFileException e) { problems.Add(e.Message); }
        }
        catch (ConfigException e) { problems.Add(e.Message); }
    }

    /// <summary>The alignment section's own checks, and, for an alignment figure the profile lists, what it requires.</summary>
    public static void Validate(Profile p, IAlignmentFigure figure, bool listed, ProfileChecks checks)
    {
        if (p.Alignment is { } a) ValidateSection(p, a, checks);
        if (!listed) return;
        checks.Require(p.Alignment != null, "alignment", $"is missing; figure '{figure.Name}' evaluates the model-vs-human sets it configures");
        var lacking = figure.RequiredDatasets.Except(p.Alignment!.Datasets).ToList();
        checks.Require(lacking.Count == 0, "alignment.datasets", $"lacks {string.Join(", ", lacking)}, which figure '{figure.Name}' plots");
    }

    static void ValidateSection(Profile p, AlignmentConfig a, ProfileChecks checks)
    {
        var names = ModelVsHumanDatasets.All.Select(d => d.Name).ToList();
        checks.Require(a.Datasets.Count > 0, "alignment.datasets", "must list at least one of the 17 datasets");
        foreach (var d in a.Datasets)
            checks.Require(names.Contains(d), "alignment.datasets", $"names '{d}'; allowed values: {string.Join(", ", names)}");
        var repeated = a.Datasets.GroupBy(d => d).FirstOrDefault(g => g.Count() > 1);
        checks.Require(repeated == null, "alignment.datasets", $"lists '{repeated?.Key}' more than once");
        checks.Require(a.ParametricImagesPerClass is null or >= 1, "alignment.parametric_images_per_class", $"is {a.ParametricImagesPerClass}; must be >= 1 (or empty for every image)");
        checks.Require(a.NonParametricImagesPerClass is null or >= 1, "alignment.non_parametric_images_per_class", $"is {a.NonParametricImagesPerClass}; must be >= 1 (or empty for every image)");
        checks.Require(a.EidolonPictureSize is >= 32 and <= 512, "alignment.eidolon_picture_size", $"is {a.EidolonPictureSize}; must be in 32..512 (benchmark: 256)");
        if (a.Source != AlignmentSource.Synthetic) return;
        checks.Require(p.Data.Kind == DataKind.Synthetic, "alignment.source",
            "is synthetic, which needs data.kind synthetic: the models must be trained on the synthetic classes the sets are drawn from");
        checks.Require(a.ParametricImagesPerClass != null && a.NonParametricImagesPerClass != null && a.Seed != null,
            "alignment.parametric_images_per_class/non_parametric_images_per_class/seed", "are required when alignment.source is synthetic (what to generate)");
        checks.Require(p.Data.Synthetic!.ImageSize % 2 == 0, "data.synthetic.image_size",
            $"is {p.Data.Synthetic.ImageSize}; the generated model-vs-human sets need an even side (phase scrambling)");
    }

    /// <summary>Where the model-vs-human settings depart from the paper's.</summary>
    public static IEnumerable<string> Deviations(Profile p, Profile? paper)
    {
        if (p.Alignment != null && Top1Fidelity(p) == Fidelity.Corrected)
            yield return CorrectedTop1Deviation;
        if (p.Alignment is not { } a || paper?.Alignment is not { } pa) yield break;
        var ours = Source(p, a);
        var theirs = Source(paper, pa);
        if (ours != theirs) yield return $"model-vs-human sets: {ours} (paper: {theirs})";
        var skipped = pa.Datasets.Except(a.Datasets).ToList();
        if (skipped.Count > 0) yield return $"model-vs-human datasets not evaluated: {string.Join(", ", skipped)}";
        if (a.ParametricImagesPerClass != pa.ParametricImagesPerClass)
            yield return $"model-vs-human images per class and condition (parametric sets): {Count(a.ParametricImagesPerClass)} (paper: {Count(pa.ParametricImagesPerClass)})";
        if (a.NonParametricImagesPerClass != pa.NonParametricImagesPerClass)
            yield return $"model-vs-human images per class (non-parametric sets): {Count(a.NonParametricImagesPerClass)} (paper: {Count(pa.NonParametricImagesPerClass)})";
        if (a.Source != AlignmentSource.Synthetic) yield break;
        if (a.EidolonPictureSize != pa.EidolonPictureSize)
            yield return $"eidolons computed at a {a.EidolonPictureSize}-px working size with reach and grain scaled by {a.EidolonPictureSize}/{pa.EidolonPictureSize} (benchmark: {pa.EidolonPictureSize} px)";
        yield return "no human raw data for the synthetic sets: accuracy difference, observed and error consistency are measured against each trajectory's dense model, not human observers (not human alignment)";
        if (a.Datasets.Contains("false-colour"))
            yield return $"false colour converts through a {Data.ModelVsHuman.Distortions.FalseColour.ApproximateDisplayGamma.ToString(System.Globalization.CultureInfo.InvariantCulture)} power-law display gamma instead of the lab monitor's measured table (an approximation)";
    }

    /// <summary>What fidelity corrected changes in the per-dataset top-1, and why.</summary>
    public const string CorrectedTop1Deviation =
        "model-vs-human top-1 per dataset over the conditions the benchmark's summary includes (its EXCLUDE_CONDITIONS), not over every image as the paper plots it: " +
        "the undistorted controls and the conditions where humans are below 20 % would otherwise lift or sink every curve alike, and the numbers are those the OOD accuracy averages";

    static string Source(Profile p, AlignmentConfig a) => a.Source == AlignmentSource.Synthetic
        ? $"generated from the synthetic classes ({p.Data.Synthetic?.Classes} categories) in the benchmark's layout"
        : "the benchmark's release (16 categories, ImageNet models' 16-category decision rule)";

    static string Count(int? perClass) => perClass?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "every image";

    static AlignmentConfig Config(Profile profile) => profile.Alignment
        ?? throw new ConfigException($"profile '{profile.Name}': the alignment figures need an alignment section");

    /// <summary>
    /// The datasets/ and raw-data/ folders the suite reads and the categories its files carry. The synthetic sets are
    /// generated first when <paramref name="generate"/>; otherwise a folder not yet generated comes back as null.
    /// </summary>
    static (string? DatasetsRoot, string? RawData, IReadOnlyList<string> Categories) Locate(RunContext context, bool generate)
    {
        var profile = context.Profile;
        var alignment = Config(profile);
        if (alignment.Source == AlignmentSource.Synthetic)
        {
            var root = generate
                ? SyntheticModelVsHuman.Ensure(context.CacheRoot, profile.Data.Synthetic!, alignment, context.Log)
                : SyntheticModelVsHuman.Generated(context.CacheRoot, profile.Data.Synthetic!, alignment);
            return (root == null ? null : SyntheticModelVsHuman.DatasetsFolder(root), null, context.Data.Train.Classes);
        }
        var dataRoot = context.DataRoot ?? profile.Data.Root
            ?? throw new ConfigException($"profile '{profile.Name}': alignment.source model_vs_human reads <data root>/{ReleaseFolder}/; pass -p:DataRoot=/path");
        var release = Path.Combine(Path.GetFullPath(dataRoot), ReleaseFolder);
        var categories = context.Data.NumClasses == SixteenClassDecision.ImageNetClasses ? ModelVsHumanCategories.Names : context.Data.Train.Classes;
        return (Path.Combine(release, "datasets"), Path.Combine(release, "raw-data"), categories);
    }

    /// <summary>ImageNet-1k models decide by the benchmark's 16-category rule; models trained on the categories by argmax.</summary>
    public static IDecisionRule DecisionRule(RunContext context, OodSuite suite) =>
        context.Data.NumClasses == SixteenClassDecision.ImageNetClasses && suite.Categories.SequenceEqual(ModelVsHumanCategories.Names)
            ? new ImageNetSixteenClassDecision()
            : new ArgmaxDecision(suite.Categories);

    /// <summary>Every iteration of a trajectory (pruned or control) on every dataset, all datasets in one batched pass.</summary>
    public static IReadOnlyList<IterationDecisions> Decide(RunContext context, Trajectory trajectory, OodSuite suite)
    {
        var metrics = trajectory.Ensure();
        var rule = DecisionRule(context, suite);
        var results = new List<IterationDecisions>();
        foreach (var m in metrics)
        {
            var sw = Stopwatch.StartNew();
            var (net, masks) = trajectory.Load(m.Iteration);
            using var _ = masks;
            var decisions = Evaluate(net, rule, suite, context.Profile.Data, context.Device);
            net.Dispose();
            results.Add(new IterationDecisions(m.Iteration, Math.Round(100 * m.MeasuredSparsity, 2), decisions));
            context.Log($"  {trajectory.SeriesKey} iter {m.Iteration} ({100 * m.MeasuredSparsity:F1}% sparse): {suite.ImageCount} OOD images in {sw.Elapsed.TotalSeconds:F1} s");
        }
        return results;
    }

    /// <summary>One model's decisions on every dataset of the suite: the images of all datasets in one stream of batches.</summary>
    public static IReadOnlyList<DatasetDecisions> Evaluate(nn.Module<Tensor, Tensor> net, IDecisionRule rule, OodSuite suite, DataConfig data,
        Device device)
    {
        var decisions = new OodEvaluator(net, rule, device, data.ResizeSize, data.ImageSize, data.EvalBatchSize)
            .Evaluate(suite.Datasets.SelectMany(d => d.Images).ToList());
        var perDataset = new List<DatasetDecisions>();
        var start = 0;
        foreach (var d in suite.Datasets)
        {
            perDataset.Add(new DatasetDecisions(d.Name, decisions.Skip(start).Take(d.Images.Count).ToList()));
            start += d.Images.Count;
        }
        return perDataset;
    }

    /// <summary>
    /// The fidelity of the per-dataset top-1: the profile's, with <see cref="Fidelity.Both"/> run as the paper's (one
    /// number per dataset and iteration, as in the figures the paper draws).
    /// </summary>
    public static Fidelity Top1Fidelity(Profile p) => p.Fidelity == Fidelity.Both ? Fidelity.Paper : p.Fidelity;

    /// <summary>Top-1 accuracy on one dataset over the images <see cref="BenchmarkConditions.CountedForTop1"/> counts in <paramref name="fidelity"/>.</summary>
    public static double Top1(IterationDecisions it, string dataset, Fidelity fidelity) =>
        Top1Accuracy.Of(BenchmarkConditions.CountedForTop1(dataset, it.On(dataset), fidelity));

    /// <summary>Per image that <see cref="Top1"/> counts: 1 correct, 0 wrong (their mean is that top-1).</summary>
    public static IEnumerable<double> Correct(IterationDecisions it, string dataset, Fidelity fidelity) =>
        BenchmarkConditions.CountedForTop1(dataset, it.On(dataset), fidelity).Select(d => d.IsCorrect ? 1.0 : 0.0);

    public static string Top1Metric(string dataset) => $"top1_{dataset}";

    /// <summary>Metric names carry their reference: "error_consistency_vs_human" or "error_consistency_vs_dense".</summary>
    public static string VersusMetric(string metric, ReferenceKind reference) =>
        reference == ReferenceKind.Human ? $"{metric}_vs_human" : $"{metric}_vs_dense";

    /// <summary>A pairwise metric of one iteration against its reference (the human observers, or the dense iteration).</summary>
    public static AlignmentScore Versus(IPairwiseMetric metric, OodSuite suite, IterationDecisions it, IterationDecisions dense, string series) =>
        AlignmentAggregate.Compute(metric, suite.Datasets.Select(d => new DatasetComparison(d.Name,
            new ObserverDecisions($"{series} iter {it.Iteration}", ObserverKind.Model, it.On(d.Name)),
            suite.Reference == ReferenceKind.Human
                ? new ReferenceGroup(ReferenceKind.Human, d.Humans)
                : new ReferenceGroup(ReferenceKind.DenseModel, [new ObserverDecisions($"{series} dense", ObserverKind.Model, dense.On(d.Name))])))
            .ToList());

    /// <summary>Shape bias on the cue-conflict set (shape = the image's category, texture from its file name).</summary>
    public static ShapeBiasResult ShapeBiasOf(OodSuite suite, IterationDecisions it) => ShapeBias.Of(CueDecisions(suite, it).ToList());

    /// <summary>
    /// Per cue-conflict image with different shape and texture classes: 1 when the decision names the shape class, 0 the
    /// texture class, NaN for any other decision; the mean over the finite ones is the shape bias.
    /// </summary>
    public static IEnumerable<double> ShapeDecisions(OodSuite suite, IterationDecisions it) =>
        Conflicting(suite, it).Select(d => d.Response == d.ShapeCategory ? 1.0 : d.Response == d.TextureCategory ? 0.0 : double.NaN);

    /// <summary>Per cue-conflict image with different shape and texture classes: 1 when the decision names either cue, else 0.</summary>
    public static IEnumerable<double> CueNamed(OodSuite suite, IterationDecisions it) =>
        Conflicting(suite, it).Select(d => d.Response == d.ShapeCategory || d.Response == d.TextureCategory ? 1.0 : 0.0);

    /// <summary>Every cue-conflict decision with its shape (the image's category) and texture (from its file name).</summary>
    static IEnumerable<CueConflictDecision> CueDecisions(OodSuite suite, IterationDecisions it)
    {
        var textures = suite.Datasets.Single(d => d.Name == "cue-conflict").Textures;
        return it.On("cue-conflict").Select(d => new CueConflictDecision(d.ImageId, d.Category, textures[d.ImageId], d.Response));
    }

    /// <summary>The decisions whose shape and texture classes differ: the only ones shape bias counts.</summary>
    static IEnumerable<CueConflictDecision> Conflicting(OodSuite suite, IterationDecisions it) =>
        CueDecisions(suite, it).Where(d => d.ShapeCategory != d.TextureCategory);

    public static MeasuredValue Value(string series, string metric, IterationDecisions it, double value) =>
        new() { Series = series, Metric = metric, Iteration = it.Iteration, Sparsity = it.SparsityPercent, Value = value };

    /// <summary>Sparsities (%) at which the paper draws reference lines.</summary>
    static readonly double[] PaperReferenceSparsities = [0, 50, 90, 99];

    /// <summary>Iteration indices nearest to the paper's reference sparsities, without repeats.</summary>
    public static IReadOnlyList<(int Index, string Label)> ReferenceLines(IReadOnlyList<double> sparsityPercent) =>
        PaperReferenceSparsities
            .Select(target => (Index: sparsityPercent.Select((s, i) => (Gap: Math.Abs(s - target), i)).MinBy(t => t.Gap).i, Target: target))
            .GroupBy(t => t.Index)
            .Select(g => (g.Key, $"nearest {string.Join("/", g.Select(t => $"{t.Target:0}%"))}"))
            .ToList();

    public static List<double> Series(FigureResults r, string series, string metric) =>
        r.Values.ByIteration(series, metric).Select(v => v.Value).ToList();

    public static List<double> Sparsities(FigureResults r, string series, string metric) =>
        r.Values.ByIteration(series, metric).Select(v => v.Sparsity).ToList();
}
