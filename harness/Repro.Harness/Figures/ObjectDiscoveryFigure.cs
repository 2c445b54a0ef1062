using System.Globalization;
using Repro.Config;
using Repro.Data;
using Repro.Measurement.Discovery;
using Repro.Models;
using Repro.Results;
using Repro.Training;
using SkiaSharp;
using TorchSharp;

namespace Repro.Figures;

/// <summary>
/// Experiment 2: unsupervised object discovery with LOST on each pruned classifier's features (ResNet layer4,
/// ViT last-block keys), scored by CorLoc (IoU ≥ 0.5 with any ground-truth box) and mean IoU on every dataset the
/// profile names, along the trajectory. The centred-box baseline is scored on the same images as the sanity anchor.
/// Per-image predictions are artefacts per iteration (predictions/&lt;model&gt;-&lt;dataset&gt;/iter-NN.yaml), as are the
/// qualitative grid's cells (ground truth, box, seed patch; cells/&lt;model&gt;/).
/// </summary>
public sealed class ObjectDiscoveryFigure : IFigure
{
    /// <summary>"Moderate" pruning in the claim: pruned iterations up to this sparsity.</summary>
    const double ModerateSparsityPercent = 90;

    public string Name => "object-discovery";
    public string Title => "Unsupervised object discovery (LOST) vs sparsity";
    public string Shows => "CorLoc of LOST on each pruned model's features per dataset, with the centred-box baseline, top-1 accuracy, the remaining weights and a qualitative grid of boxes.";

    static string CellName(string model, int image, int iteration) =>
        string.Create(CultureInfo.InvariantCulture, $"cells/{model}/img{image + 1}-iter{iteration:D2}.png");

    public ProfileSection Section => new(DiscoveryConfig.Key, typeof(DiscoveryConfig));

    public void Validate(Profile profile, bool listed, ProfileChecks checks)
    {
        var d = DiscoveryConfig.Of(profile);
        checks.Require(d.Stride is 8 or 16 or 32, "discovery.stride", $"is {d.Stride}; allowed values: 8, 16, 32");
        checks.Require(d.KPatches >= 1, "discovery.k_patches", $"is {d.KPatches}; must be >= 1");
        checks.Require(d.QualitativeImages >= 0, "discovery.qualitative_images", $"is {d.QualitativeImages}; must be >= 0");
        if (!listed) return;
        var known = DiscoveryInputs.Names;
        checks.Require(d.Datasets.Count > 0, "discovery.datasets", $"must list at least one of: {string.Join(", ", known)}");
        foreach (var name in d.Datasets)
            checks.Require(known.Contains(name), "discovery.datasets", $"names '{name}'; allowed values: {string.Join(", ", known)}");
        checks.Require(d.Datasets.Distinct().Count() == d.Datasets.Count, "discovery.datasets", "lists a dataset twice");
        var synthetic = profile.Data.Scenes != null;
        if (d.Datasets.Any(n => n.StartsWith("voc12", StringComparison.Ordinal)))
            checks.Require(d.Voc12Root != null || synthetic, "discovery.voc12_root", "is required for the voc12 datasets when the profile has no data.scenes to stand in");
        if (d.Datasets.Contains("voc07-trainval"))
            checks.Require(d.Voc07Root != null, "discovery.voc07_root", "is required for voc07-trainval (the synthetic scenes stand in for VOC2012 only)");
        if (d.Datasets.Contains("coco20k"))
            checks.Require(d.Coco20k != null || synthetic, "discovery.coco20k", "is required for coco20k when the profile has no data.scenes to stand in (images_root, file_list, annotations)");
    }

    public IEnumerable<string> Deviations(Profile profile, Profile? paper)
    {
        if (paper != null)
        {
            if (DiscoveryConfig.Of(profile).KPatches != DiscoveryConfig.Of(paper).KPatches)
                yield return $"LOST k (patches that may join the seed): {DiscoveryConfig.Of(profile).KPatches} (paper: {DiscoveryConfig.Of(paper).KPatches})";
            var synthetic = DiscoveryConfig.Of(profile).Datasets.Where(n => !DiscoveryInputs.HasRealSource(DiscoveryConfig.Of(profile), n)).ToList();
            if (synthetic.Count > 0)
                yield return $"object discovery: the synthetic scenes stand in for {string.Join(", ", synthetic)} (paper: the real benchmarks)";
            var skipped = DiscoveryConfig.Of(paper).Datasets.Except(DiscoveryConfig.Of(profile).Datasets).ToList();
            if (skipped.Count > 0) yield return $"object-discovery datasets not evaluated: {string.Join(", ", skipped)}";
            if (DiscoveryConfig.Of(profile).NoHard != DiscoveryConfig.Of(paper).NoHard)
                yield return $"LOST no-hard variant: {DiscoveryConfig.Of(profile).NoHard} (paper: {DiscoveryConfig.Of(paper).NoHard})";
        }
        if (DiscoveryConfig.Of(profile).Stride != 32 && profile.Fidelity == Fidelity.Corrected)
            yield return $"LOST on ResNet features at stride {DiscoveryConfig.Of(profile).Stride} (dilated layers; the paper's runs were at 32 whatever their option said: errata 5)";
        if (PaddingDeviation(profile) is { } padding) yield return padding;
        yield return "LOST's per-image boxes are kept for every pruning iteration (the authors' were overwritten); ties in its degree order go to the lowest patch index (the reference's sort is unstable)";
        if (profile.Fidelity == Fidelity.Corrected && profile.Models.Any(m => m.Architecture.StartsWith("vit", StringComparison.Ordinal)))
            yield return VitResamplingDeviation;
        if (profile.Models.Any(m => m.Architecture.StartsWith("vit", StringComparison.Ordinal)))
            yield return "LOST on ViT reads the pruned model's own last-block keys in every fidelity (the authors' run never loaded the pruned checkpoint and took the block's normalised input in scrambled token order: errata 4 is not reproduced)";
    }

    public void Preflight(RunContext context, List<string> problems) => DiscoveryInputs.Preflight(context, problems);

    public FigureMeasurement Measure(RunContext context, FigureFolder folder)
    {
        var profile = context.Profile;
        var options = DiscoveryConfig.Of(profile);
        var fidelity = profile.Fidelity == Fidelity.Both ? Fidelity.Paper : profile.Fidelity;
        var evaluation = new CorLocEvaluation(new CorLocOptions { NoHard = options.NoHard });
        var values = new List<MeasuredValue>();
        var claims = new List<ClaimOutcome>();
        var observations = new List<Observation>();

        var datasets = options.Datasets.Select(n => DiscoveryInputs.Open(n, context)).ToList();
        var baselines = new Dictionary<string, CorLocSummary>();
        foreach (var dataset in datasets)
        {
            var baselineRows = evaluation.Run(new CentredBoxBaseline(), dataset.Decoded());
            var baseline = baselines[dataset.Name] = CorLocSummary.Of(baselineRows);
            observations.Add(Evidence.Observe($"centred-box/{dataset.Name}", "hit", 0, Hits(baselineRows)));
            context.Log($"  {dataset.Name}: {dataset.Images.Count} images from {dataset.Source}; centred box {baseline}");
            values.Add(Value($"centred-box/{dataset.Name}", "corloc", 0, 0, baseline.CorLoc));
        }
        var shown = datasets[0].Decoded().Take(options.QualitativeImages).ToList();

        foreach (var model in profile.Models)
        {
            if (!model.Architecture.StartsWith("resnet") && !model.Architecture.StartsWith("vit"))
            {
                context.Log($"  {model.Key}: skipped (LOST is defined here on ResNet layer4 features and ViT keys)");
                continue;
            }
            foreach (var trajectory in Trajectory.Arms(context, model))
                foreach (var m in trajectory.Ensure())
                {
                    var key = trajectory.SeriesKey;
                    var sparsity = Math.Round(100 * m.MeasuredSparsity, 2);
                    var (net, masks) = trajectory.Load(m.Iteration);
                    using var _ = masks;
                    var (features, owned) = FeaturesOf(net, model, context, options.Stride, fidelity);
                    var discoverer = new LostDiscoverer(features, new Lost(options.KPatches), PadMultipleFor(features, model, fidelity));
                    foreach (var dataset in datasets)
                    {
                        var rows = evaluation.Run(discoverer, dataset.Decoded(), context.Log);
                        var summary = CorLocSummary.Of(rows);
                        new DiscoveryPredictionsFile
                        {
                            Method = discoverer.Name, Dataset = $"{dataset.Name}: {dataset.Source}", Model = key, Iteration = m.Iteration,
                            Sparsity = sparsity, Features = discoverer.Description, Summary = summary, Images = rows,
                        }.Save(folder.NewArtefact(DiscoveryPredictionsFile.PathFor($"predictions/{key}-{dataset.Name}", m.Iteration)));
                        var series = $"{key}/{dataset.Name}";
                        observations.Add(Evidence.Observe(series, "hit", m.Iteration, Hits(rows)));
                        values.Add(Value(series, "corloc", m.Iteration, sparsity, summary.CorLoc));
                        values.Add(Value(series, "mean_iou", m.Iteration, sparsity, summary.MeanIou));
                        var boxArea = MeanBoxArea(rows);
                        values.Add(Value(series, "box_area", m.Iteration, sparsity, boxArea));
                        context.Log($"  {key} iter {m.Iteration} ({sparsity:F1}% sparse) {dataset.Name}: {summary}, mean box {boxArea:P0} of the image");
                        if (dataset == datasets[0] && !trajectory.IsControl)
                            for (var i = 0; i < shown.Count; i++)
                                DrawCell(shown[i], rows[i], features.Stride, folder.NewArtefact(CellName(model.Key, i, m.Iteration)));
                    }
                    owned?.Dispose();
                    net.Dispose();
                    values.Add(Value(key, "top1", m.Iteration, sparsity, m.Top1));
                    values.Add(Value(key, "nonzero_weights", m.Iteration, sparsity, m.NonzeroWeights));
                }
        }

        claims.Add(PruningRaisesCorLoc(context, datasets.Select(d => d.Name).ToList(), values, observations));
        return new FigureMeasurement(values, claims) { Observations = observations, Anchors = InformativeAnchors(context, datasets.Select(d => d.Name), values).ToList() };
    }

    /// <summary>The embedded data's design goal: dense CorLoc at least this far above the centred box's, on every dataset.</summary>
    public const double InformativeMargin = 0.10;

    static IEnumerable<DenseAnchor> InformativeAnchors(RunContext context, IEnumerable<string> datasets, List<MeasuredValue> values)
    {
        foreach (var model in context.Profile.Models)
            foreach (var dataset in datasets)
                if (values.FirstOrDefault(v => v.Series == $"{model.Key}/{dataset}" && v.Metric == "corloc" && v.Iteration == 0) is { } dense)
                    yield return DenseAnchor.Margin($"{model.Key}: dense CorLoc on {dataset}", dense.Value, "the centred box",
                        values.Single(v => v.Series == $"centred-box/{dataset}" && v.Metric == "corloc").Value, InformativeMargin, "10 points");
    }

    /// <summary>Per image: 1 for a hit, 0 for a miss, NaN for an image that does not count (skipped).</summary>
    static IEnumerable<double> Hits(IEnumerable<ImagePrediction> rows) =>
        rows.Select(r => r.Status == PredictionStatus.Skipped ? double.NaN : r.Hit ? 1.0 : 0.0);

    /// <summary>
    /// The paper's claim as a test: some pruned iteration of at most 90 % sparsity localises more images than the dense
    /// model and the no-pruning control, for at least one architecture and dataset (Holm over models × datasets ×
    /// sparsities). A model and dataset enter only where the dense model's boxes beat the centred box, paired per image:
    /// a rise among boxes that miss anyway says nothing.
    /// </summary>
    static ClaimOutcome PruningRaisesCorLoc(RunContext context, List<string> datasets, List<MeasuredValue> values, List<Observation> observations)
    {
        var family = new List<Comparison>();
        var all = new List<Comparison>();
        var anchors = new List<AnchorResult>();
        foreach (var model in context.Profile.Models)
        {
            foreach (var dataset in datasets)
            {
                var series = $"{model.Key}/{dataset}";
                if (Evidence.Paired(observations, (series, "hit", 0), ($"centred-box/{dataset}", "hit", 0)) is not var (dense, box)) continue;
                var anchor = Anchors.Above($"{model.Key} {dataset} CorLoc", dense, box, "centred box");
                anchors.Add(anchor);
                var moderate = values.Where(v => v.Series == series && v.Metric == "corloc" && v.Iteration > 0 && v.Sparsity <= ModerateSparsityPercent)
                    .Select(v => v.Iteration).ToList();
                var comparisons = Evidence.Comparisons(observations, series, Evidence.ControlOf(model.Key, series), "hit",
                    moderate, k => Evidence.At($"{model.Key} {dataset} CorLoc", values, series, k)).ToList();
                all.AddRange(comparisons);
                if (anchor.Passed) family.AddRange(comparisons);
            }
        }
        var passed = anchors.Count(a => a.Passed);
        var gate = new AnchorResult(passed > 0, $"{passed} of {anchors.Count} model/dataset pairs beat the centred box on the dense model: " +
            string.Join("; ", anchors.Select(a => a.Description)));
        return ClaimTest.Judge($"moderate pruning (at most {ModerateSparsityPercent}% sparse) raises CorLoc above the dense model and the no-pruning control for at least one architecture",
            gate.Passed ? family : all, gate);
    }

    /// <summary>
    /// The fidelity's padding multiple (<see cref="DiscoveryInput.PadMultiple"/>). A ViT needs whole patches, so in fidelity
    /// paper its patch size must divide the authors' 32 px.
    /// </summary>
    public static int PadMultipleFor(IDiscoveryFeatures features, ModelConfig model, Fidelity fidelity)
    {
        var multiple = DiscoveryInput.PadMultiple(features.Stride, fidelity);
        if (features is VitKeyFeatures && multiple % features.Stride != 0)
            throw new ConfigException($"model '{model.Key}': patch size {features.Stride} does not divide the authors' {multiple}-px padding of fidelity paper; " +
                "use a patch size of 8, 16 or 32 (models[].patch_size), or fidelity: corrected (padding to the patch size)");
        return multiple;
    }

    /// <summary>What fidelity corrected changes in the ViT's position embeddings at LOST's full-resolution grids, and why.</summary>
    public const string VitResamplingDeviation =
        "ViT position embeddings resampled to each image's grid with align_corners = false, not torchvision's align_corners = true as the authors' interpolate_embeddings: " +
        "each patch then gets the embedding of the image position its footprint covers, as the image itself is resized";

    /// <summary>Where the padding of fidelity corrected differs from the authors' 32 px, and why.</summary>
    public static string? PaddingDeviation(Profile profile)
    {
        if (profile.Fidelity != Fidelity.Corrected) return null;
        var resnet = profile.Models.Any(m => m.Architecture.StartsWith("resnet", StringComparison.Ordinal)) && DiscoveryConfig.Of(profile).Stride != DiscoveryInput.AuthorsPadMultiple;
        var vit = profile.Models.Any(m => m.Architecture.StartsWith("vit", StringComparison.Ordinal));
        if (!resnet && !vit) return null;
        var strides = string.Join(", ", new[] { resnet ? $"ResNet: {DiscoveryConfig.Of(profile).Stride} px" : null, vit ? "ViT: its patch size" : null }.OfType<string>());
        return $"LOST zero-pads each image to a multiple of the feature stride ({strides}), not of {DiscoveryInput.AuthorsPadMultiple} px as the authors' run did " +
               $"(--patch_size {DiscoveryInput.AuthorsPadMultiple}): the smallest padding whose grid covers the image, so no grid row or column holds padding alone";
    }

    /// <summary>
    /// ViT position embeddings at the padded image's grid: paper as main_lost.py interpolate_vit resamples them
    /// (vision_transformer.py interpolate_embeddings, torchvision's align_corners = true); corrected the suite's.
    /// </summary>
    public static PositionEmbeddingResampling ResamplingFor(Fidelity fidelity) =>
        fidelity.RequireOne("ViT position embeddings") == Fidelity.Paper ? PositionEmbeddingResampling.Torchvision : PositionEmbeddingResampling.PatchFootprints;

    /// <summary>The backbone LOST reads, and the dilated copy to dispose of when one was built.</summary>
    static (IDiscoveryFeatures Features, IDisposable? Owned) FeaturesOf(torch.nn.Module<torch.Tensor, torch.Tensor> net, ModelConfig model,
        RunContext context, int stride, Fidelity fidelity)
    {
        if (net is VisionTransformer vit)
        {
            vit.Resampling = ResamplingFor(fidelity);
            return (new VitKeyFeatures(new VisionTransformerKeys(vit), context.Device), null);
        }
        var resnet = (ResNet)net;
        var backbone = ResNetLayer4Features.ForDiscovery(resnet, model, context.Data.NumClasses, stride, fidelity);
        return (new ResNetLayer4Features(backbone), ReferenceEquals(backbone, resnet) ? null : backbone);
    }

    /// <summary>Mean share of the image the predicted box covers, over the scored images (LOST's component size, in pixels).</summary>
    static double MeanBoxArea(IEnumerable<ImagePrediction> rows)
    {
        var shares = rows.Where(r => r.Box is not null).Select(r => r.Box!.Value.Area / ((double)r.Width * r.Height)).ToList();
        return shares.Count == 0 ? double.NaN : shares.Average();
    }

    /// <summary>The image with its ground-truth boxes (green), LOST's box (red) and seed patch (yellow).</summary>
    static void DrawCell(DiscoveryImage image, ImagePrediction row, int stride, string path)
    {
        using var bitmap = ImageCodec.ToBitmap(image.Image);
        using (var canvas = new SKCanvas(bitmap))
        using (var pen = new SKPaint { Style = SKPaintStyle.Stroke, StrokeWidth = Math.Max(2f, image.Image.Width / 100f), IsAntialias = true })
        {
            pen.Color = new SKColor(0, 200, 0);
            foreach (var o in image.Objects) canvas.DrawRect(SKRect.Create((float)o.Box.XMin, (float)o.Box.YMin, (float)o.Box.Width, (float)o.Box.Height), pen);
            if (row.Box is { } box)
            {
                pen.Color = new SKColor(230, 0, 0);
                canvas.DrawRect(SKRect.Create((float)box.XMin, (float)box.YMin, (float)box.Width, (float)box.Height), pen);
            }
            if (row.SeedRow is { } seedRow && row.SeedCol is { } seedCol)
            {
                using var seed = new SKPaint { Color = new SKColor(255, 220, 0, 150) };
                canvas.DrawRect(SKRect.Create(seedCol * stride, seedRow * stride, stride, stride), seed);
            }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ImageCodec.EncodeToFile(bitmap, path);
    }

    static MeasuredValue Value(string series, string metric, int iteration, double sparsity, double value) =>
        new() { Series = series, Metric = metric, Iteration = iteration, Sparsity = sparsity, Value = value };

    public IReadOnlyList<string> Plot(FigureResults results, FigureFolder folder)
    {
        var files = new List<string>();
        var models = results.Values.Where(v => v.Metric == "top1").Select(v => v.Series)
            .Where(s => !Evidence.IsControl(s)).Distinct().ToList();
        var datasets = results.Values.Where(v => v.Series.StartsWith("centred-box/", StringComparison.Ordinal)).Select(v => v.Series["centred-box/".Length..]).ToList();
        foreach (var model in models)
        {
            var top1 = results.Values.ByIteration(model, "top1");
            var sparsity = top1.Select(v => v.Sparsity).ToList();
            foreach (var dataset in datasets)
            {
                using var plot = new SparsityPlot($"LOST CorLoc: {model}, {dataset}", "CorLoc / mean IoU (%)", sparsity);
                var blue = plot.TakeColor();
                var images = Evidence.Shade(plot, results, $"{model}/{dataset}", "hit", sparsity.Count, blue, scale: 100);
                plot.Line("CorLoc", Percent(Series(results, $"{model}/{dataset}", "corloc")), color: blue);
                var control = $"{model}{Trajectory.ControlSuffix}/{dataset}";
                if (results.Values.Any(v => v.Series == control))
                    plot.Line("CorLoc, no-pruning control", Percent(Series(results, control, "corloc")), color: blue.Lighten(0.5));
                plot.Caption(Evidence.ShadingCaption(images));
                plot.Line("mean IoU", Percent(Series(results, $"{model}/{dataset}", "mean_iou")), pattern: ScottPlot.LinePattern.Dashed);
                var baseline = results.Values.Single(v => v.Series == $"centred-box/{dataset}").Value;
                plot.Line("centred-box CorLoc", Enumerable.Repeat(100 * baseline, sparsity.Count).ToList(), pattern: ScottPlot.LinePattern.Dotted, color: new ScottPlot.Color("#555555"));
                plot.Line("top-1 accuracy", top1.Select(v => v.Value).ToList(), rightAxis: true, color: new ScottPlot.Color("#2ca02c"));
                plot.RightLabel("top-1 accuracy");
                plot.LeftLimits(0, 100);
                plot.RightLimits(0, 1);
                files.Add(plot.Save(folder.Directory, $"corloc-{model}-{dataset}"));
            }
            using var nonzero = new SparsityPlot($"Remaining non-zero weights: {model}", "non-zero weights (log10 scale)", sparsity);
            nonzero.Line(model, Series(results, model, "nonzero_weights").Select(Math.Log10).ToList());
            nonzero.LogLeft();
            files.Add(nonzero.Save(folder.Directory, $"nonzero-weights-{model}"));

            var rows = Enumerable.Range(0, int.MaxValue).TakeWhile(i => folder.Has(CellName(model, i, top1[0].Iteration))).Count();
            if (rows == 0) continue;
            var name = $"boxes-{model}.png";
            IterationGrid.Save($"LOST on {model}, {datasets[0]}: ground truth green, box red, seed patch yellow", IterationGrid.ColumnTitles(top1), rows,
                (r, c) => folder.Artefact(CellName(model, r, top1[c].Iteration)), folder.PlotPath(name));
            files.Add(name);
        }
        return files;
    }

    static List<double> Series(FigureResults r, string series, string metric) =>
        r.Values.ByIteration(series, metric).Select(v => v.Value).ToList();

    static List<double> Percent(IEnumerable<double> values) => values.Select(v => 100 * v).ToList();

    /// <summary>CorLoc over a few dozen images moves in steps of a few percent; weight counts are exact.</summary>
    public double DefaultAbsTol(string metric) => metric switch
    {
        "top1" => 0.05,
        "nonzero_weights" => 0,
        _ => 0.1,
    };
}
