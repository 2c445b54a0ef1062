using Repro.Config;
using Repro.Data;
using Repro.Data.Png;
using Repro.Data.Synthetic;
using Repro.Data.Voc;
using Repro.Figures;
using Repro.Measurement.Discovery;
using Repro.Tests.Data;
using static TorchSharp.torch;

namespace Repro.Tests.Figures;

/// <summary>Experiment 2 on the ci profile against expected-results/ci/, and its inputs.</summary>
[Trait("Category", TestCategories.Figures)]
public class ObjectDiscoveryFigureTests
{
    [Fact]
    public void Object_discovery_figure_on_the_ci_profile_is_inside_its_bands()
    {
        var profile = ProfileLoader.Load(TestSupport.RepoRoot, "ci");
        var context = TestSupport.Context(profile, TestSupport.CacheRoot);
        var outcome = FigureRunner.Run(new ObjectDiscoveryFigure(), context);
        Assert.False(outcome.Check.ExpectedMissing, $"no {outcome.Check.ExpectedFile}");
        Assert.True(outcome.Check.Violations.Count == 0, string.Join("\n", outcome.Check.Violations));

        var datasets = DiscoveryConfig.Of(profile).Datasets;
        var iterations = profile.Pruning.Iterations + 1;
        // A centred-box CorLoc per dataset; per iteration CorLoc, mean IoU and box area per dataset, top-1 and weights.
        var arms = profile.Pruning.Control ? 2 : 1;   // the pruned trajectory and the no-pruning control
        Assert.Equal(datasets.Count + arms * iterations * (3 * datasets.Count + 2), outcome.Check.Checked);
        Assert.All(outcome.Results.Values.Where(v => v.Metric is "corloc" or "mean_iou" or "box_area"), v => Assert.InRange(v.Value, 0, 1));
        var claim = Assert.Single(outcome.Results.Claims);
        Assert.Contains("centred box", claim.Anchor);
        foreach (var dataset in datasets)
        {
            var hits = outcome.Results.Observations.Single(o => o.Series == $"resnet18-w0.25/{dataset}" && o.Iteration == 0).Values.Where(double.IsFinite);
            Assert.InRange(Math.Abs(outcome.Results.Values.Single(v => v.Series == $"resnet18-w0.25/{dataset}" && v.Metric == "corloc" && v.Iteration == 0).Value - hits.Average()), 0, 1e-6);
        }
        Assert.Contains(outcome.Results.Deviations, d => d.StartsWith("object discovery: the synthetic scenes stand in for voc12-trainval, voc12-val, coco20k"));

        var dir = Path.Combine(TestSupport.ReportsRoot, "ci", "object-discovery");
        const string model = "resnet18-w0.25";
        foreach (var dataset in datasets)
        {
            Assert.Contains($"corloc-{model}-{dataset}.png", outcome.Plots.Plots.Select(p => p.Png));
            for (var k = 0; k < iterations; k++)
            {
                var file = DiscoveryPredictionsFile.Load(DiscoveryPredictionsFile.PathFor(Path.Combine(dir, "predictions", $"{model}-{dataset}"), k));
                Assert.Equal(k, file.Iteration);
                Assert.Equal(file.Summary.Images, file.Images.Count(i => i.Status != PredictionStatus.Skipped));
            }
        }
        Assert.Contains($"nonzero-weights-{model}.png", outcome.Plots.Plots.Select(p => p.Png));
        Assert.Contains($"boxes-{model}.png", outcome.Plots.Plots.Select(p => p.Png));
        // every qualitative cell and predictions file is an artefact results.yaml names, and nothing else is
        // (cells for the pruned trajectory only, predictions for the control too)
        Assert.Equal(iterations * (DiscoveryConfig.Of(profile).QualitativeImages + arms * datasets.Count), outcome.Results.Artefacts.Count);
        Assert.Contains($"cells/{model}/img{DiscoveryConfig.Of(profile).QualitativeImages}-iter{iterations - 1:D2}.png", outcome.Results.Artefacts);
    }

    /// <summary>
    /// Features that know the answer: +1 on stride cells that are mostly object in the scene's mask, −1 elsewhere.
    /// Fed through the same padding, LOST, box scaling and CorLoc as a backbone, they must find the objects, so a
    /// backbone that does not is the backbone's doing.
    /// </summary>
    sealed class MaskFeatures(Queue<PaletteImage> masks, int stride) : IDiscoveryFeatures
    {
        public string Description => "mask oracle";
        public int Stride => stride;
        public Device Device => CPU;

        public PatchTokens Extract(Tensor paddedImage)
        {
            var mask = masks.Dequeue();
            int rows = (int)paddedImage.shape[2] / stride, cols = (int)paddedImage.shape[3] / stride;
            var tokens = new float[rows * cols * 4];
            for (var r = 0; r < rows; r++)
                for (var c = 0; c < cols; c++)
                {
                    int inside = 0, total = 0;
                    for (var y = r * stride; y < Math.Min((r + 1) * stride, mask.Height); y++)
                        for (var x = c * stride; x < Math.Min((c + 1) * stride, mask.Width); x++)
                        {
                            total++;
                            if (mask.Indices[y * mask.Width + x] != VocLabels.Background) inside++;
                        }
                    var sign = total > 0 && 2 * inside > total ? 1f : -1f;
                    for (var d = 0; d < 4; d++) tokens[(r * cols + c) * 4 + d] = sign;
                }
            return new PatchTokens(tensor(tokens, [rows * cols, 4]), rows, cols);
        }
    }

    [Fact]
    public void On_the_synthetic_scenes_LOST_with_object_separating_features_beats_the_centred_box()
    {
        var profile = ProfileLoader.Load(TestSupport.RepoRoot, "ci");
        var dir = SyntheticScenes.Ensure(TestSupport.CacheRoot, profile.Data.Scenes!, profile.DataSeed);
        var voc = SyntheticScenes.OpenVoc(dir, profile.Data.Scenes!, "trainval", VocTask.Segmentation);
        var images = voc.Samples.Zip(voc.ToLocalisation(), (s, l) => new DiscoveryImage(l.Id, VocDataset.ReadImage(s), l.Objects)).ToList();
        var evaluation = new CorLocEvaluation(new CorLocOptions());

        var oracle = new LostDiscoverer(new MaskFeatures(new Queue<PaletteImage>(voc.Samples.Select(VocDataset.ReadMask)), stride: 8));
        var lost = CorLocSummary.Of(evaluation.Run(oracle, images));
        var centred = CorLocSummary.Of(evaluation.Run(new CentredBoxBaseline(), images));

        Assert.Equal(images.Count, lost.Images);
        Assert.True(lost.CorLoc >= 0.5 && lost.CorLoc > centred.CorLoc + 0.3, $"oracle {lost}; centred box {centred}");
    }

    static Profile CiWith(string discovery)
    {
        var text = File.ReadAllText(Path.Combine(TestSupport.RepoRoot, "profiles", "ci.yaml"));
        var start = text.IndexOf("discovery:\n", StringComparison.Ordinal);
        var end = text.IndexOf("\n#", start, StringComparison.Ordinal);
        return ProfileLoader.Read(text[..start] + discovery + text[end..], "ci.yaml");
    }

    [Theory]
    [InlineData("discovery:\n  datasets: [voc12-trainval, voc2012-val]\n", "names 'voc2012-val'; allowed values: voc12-trainval, voc12-val, voc07-trainval, coco20k")]
    [InlineData("discovery:\n  datasets: [voc07-trainval]\n", "'discovery.voc07_root' is required for voc07-trainval")]
    [InlineData("discovery:\n  datasets: [coco20k, coco20k]\n", "lists a dataset twice")]
    [InlineData("discovery:\n  datasets: []\n", "must list at least one of")]
    public void Discovery_dataset_mistakes_are_named_before_any_work(string discovery, string message)
    {
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Validate(CiWith(discovery), "ci.yaml"));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_configured_VOC_root_is_read_as_the_real_benchmark()
    {
        using var tmp = new TempDir();
        var root = Path.Combine(tmp.Path, "VOCdevkit", "VOC2012");
        DataFixtures.WriteVocImage(root, "2008_000001", 60, 40, [DataFixtures.VocObject("dog", 5, 6, 30, 35)]);
        DataFixtures.WriteVocImage(root, "2008_000002", 50, 45, [DataFixtures.VocObject("cat", 1, 1, 50, 45, truncated: 1)]);
        DataFixtures.WriteSplit(root, "Main", "val", "2008_000001", "2008_000002");
        var profile = CiWith("discovery:\n  datasets: [voc12-val]\n  voc12_root: VOCdevkit\n");
        ProfileLoader.Validate(profile, "ci.yaml");

        var context = new Repro.Training.RunContext(profile, TestSupport.RepoRoot, TestSupport.CacheRoot, tmp.Path, DeviceChoice.Cpu, _ => { });
        var dataset = DiscoveryInputs.Open("voc12-val", context);
        Assert.StartsWith("PASCAL VOC2012 val", dataset.Source);
        Assert.Equal(["2008_000001", "2008_000002"], dataset.Images.Select(i => i.Id));
        var first = dataset.Decoded().First();
        Assert.Equal((60, 40), (first.Image.Width, first.Image.Height));
        Assert.Equal(new PixelBox(4, 5, 30, 35), first.Objects.Single().Box);

        var noRoot = new Repro.Training.RunContext(profile, TestSupport.RepoRoot, TestSupport.CacheRoot, null, DeviceChoice.Cpu, _ => { });
        var e = Assert.Throws<ConfigException>(() => DiscoveryInputs.Open("voc12-val", noRoot));
        Assert.Contains("'VOCdevkit' is relative but no data root is set", e.Message);
    }
}
