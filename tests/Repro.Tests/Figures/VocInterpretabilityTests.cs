using Repro.Config;
using Repro.Data;
using Repro.Data.Voc;
using Repro.Figures;
using Repro.Models;
using Repro.Pruning;
using Repro.Training;
using static Repro.Tests.Data.DataFixtures;

namespace Repro.Tests.Figures;

/// <summary>A PASCAL VOC2012 devkit in miniature: segmentation split, JPEG images, palette masks, annotations.</summary>
static class Voc2012Fixture
{
    public const string Root = "VOCdevkit/VOC2012";
    /// <summary>VOC's label of "dog".</summary>
    public const byte Dog = 12;

    /// <summary>Listed unsorted, as the split files are not; the second by id is at VOC's usual 500x375.</summary>
    public static readonly (string Id, int Width, int Height)[] Images =
        [("2007_000129", 48, 64), ("2007_000033", 40, 36), ("2007_000032", 500, 375), ("2007_000027", 60, 44)];

    /// <summary>Writes the devkit under <paramref name="dataRoot"/>; each image's middle half is a dog with a void band around it.</summary>
    public static string Write(string dataRoot)
    {
        var root = Path.Combine(dataRoot, "VOCdevkit", "VOC2012");
        foreach (var (id, w, h) in Images)
        {
            int x0 = w / 4, y0 = h / 4, x1 = 3 * w / 4, y1 = 3 * h / 4;
            WriteVocImage(root, id, w, h, [VocObject("dog", x0 + 1, y0 + 1, x1, y1)],
                mask: (x, y) => x >= x0 && x < x1 && y >= y0 && y < y1 ? Dog
                    : x >= x0 - 1 && x <= x1 && y >= y0 - 1 && y <= y1 ? VocLabels.Void : VocLabels.Background);
        }
        WriteSplit(root, "Segmentation", "trainval", Images.Select(i => i.Id).ToArray());
        return root;
    }

    /// <summary>A two-class ImageFolder (train/ and val/) for the classifier the profile trains on.</summary>
    public static void WriteImageFolder(string dataRoot)
    {
        foreach (var split in new[] { "train", "val" })
            foreach (var wnid in new[] { "n01440764", "n01443537" })
                for (var i = 0; i < 2; i++)
                    WriteImage(Path.Combine(dataRoot, split, wnid, $"{wnid}_{i}.jpg"), 40 + 8 * i, 36);
    }
}

/// <summary>Experiment 1 on VOC2012's own images: the root, its errors, the Grad-CAM layer default.</summary>
[Trait("Category", TestCategories.Unit)]
public class VocInterpretabilityTests
{
    static Profile VocProfile(string? voc12Root = Voc2012Fixture.Root)
    {
        var p = TestSupport.TinyProfile();
        p.Interpretability = new InterpretabilityConfig { Voc12Root = voc12Root, Images = 3, HeatmapImages = 2, IgSteps = 2, SmoothgradSamples = 1, NoiseStd = 1.0 };
        p.Performance.Onednn = OneDnnMode.Off;
        return p;
    }

    static RunContext Context(Profile p, string cache, string? dataRoot) =>
        new(p, TestSupport.RepoRoot, cache, dataRoot, DeviceChoice.Cpu, _ => { });

    [Fact]
    public void Voc12_root_gives_voc2012s_first_sorted_segmentation_images_at_full_resolution()
    {
        using var data = new TempDir();
        using var cache = new TempDir();
        Voc2012Fixture.Write(data.Path);
        var images = InterpretabilityInputs.Images(Context(VocProfile(), cache.Path, data.Path), 3);
        Assert.Equal(["2007_000027", "2007_000032", "2007_000033"], images.Select(i => i.Id));
        Assert.Equal((60, 44), (images[0].Width, images[0].Height));
        Assert.Equal((500, 375), (images[1].Width, images[1].Height));
        // the palette mask's class label, and its void band
        Assert.Equal(Voc2012Fixture.Dog, images[1].Labels[187 * 500 + 250]);
        Assert.Equal(VocLabels.Void, images[1].Labels[92 * 500 + 250]);
        Assert.Equal(250 * 188, images[1].Mask(Fidelity.Corrected).ObjectPixels);
        // no synthetic scenes were generated in their place
        Assert.False(Directory.Exists(Path.Combine(cache.Path, "data")));
    }

    [Fact]
    public void Voc12_root_is_resolved_as_discoverys_roots_are()
    {
        using var data = new TempDir();
        using var cache = new TempDir();
        var voc = Voc2012Fixture.Write(data.Path);
        var config = VocProfile().Interpretability!;
        // relative: under the data root, given by --data-root or by data.root
        Assert.Equal(voc, InterpretabilityInputs.Voc12Folder(Context(VocProfile(), cache.Path, data.Path), config));
        var fromProfile = VocProfile();
        fromProfile.Data.Root = data.Path;
        Assert.Equal(voc, InterpretabilityInputs.Voc12Folder(Context(fromProfile, cache.Path, null), config));
        // the devkit's parent folder is found as the VOC loader finds it; an absolute path is used as it is
        Assert.Equal(voc, InterpretabilityInputs.Voc12Folder(Context(VocProfile("."), cache.Path, data.Path), VocProfile(".").Interpretability!));
        Assert.Equal(voc, InterpretabilityInputs.Voc12Folder(Context(VocProfile(voc), cache.Path, null), VocProfile(voc).Interpretability!));
        // relative without a data root
        var e = Assert.Throws<ConfigException>(() => InterpretabilityInputs.Images(Context(VocProfile(), cache.Path, null), 3));
        Assert.Contains("interpretability.voc12_root 'VOCdevkit/VOC2012' is relative but no data root is set; pass -p:DataRoot=/path", e.Message);
    }

    /// <summary>Preflight's problems for the fixture after <paramref name="damage"/>, with the data root at <paramref name="dataRoot"/>.</summary>
    static List<string> PreflightProblems(TempDir data, Action<string> damage, string? dataRoot = null)
    {
        using var cache = new TempDir();
        damage(Voc2012Fixture.Write(data.Path));
        var problems = new List<string>();
        new InterpretabilityFigure().Preflight(Context(VocProfile(), cache.Path, dataRoot ?? data.Path), problems);
        return problems;
    }

    [Fact]
    public void Preflight_names_the_missing_split_list_or_folder_and_what_to_do()
    {
        using var data = new TempDir();
        Assert.Empty(PreflightProblems(data, _ => { }));

        var split = Assert.Single(PreflightProblems(data, voc => File.Delete(Path.Combine(voc, "ImageSets", "Segmentation", "trainval.txt"))));
        Assert.Contains($"expected VOCdevkit/VOC2012/ImageSets/Segmentation/trainval.txt under the data root {data.Path}", split);
        Assert.Contains("pass -p:DataRoot=/path", split);
        Assert.Contains("interpretability.split", split);

        var masks = Assert.Single(PreflightProblems(data, voc => Directory.Delete(Path.Combine(voc, "SegmentationClass"), true)));
        Assert.Contains($"expected VOCdevkit/VOC2012/SegmentationClass/ under the data root {data.Path}", masks);

        var elsewhere = Path.Combine(data.Path, "not-here");
        var root = Assert.Single(PreflightProblems(data, _ => { }, elsewhere));
        Assert.Contains($"expected VOCdevkit/VOC2012/ImageSets/Segmentation/trainval.txt under the data root {elsewhere}", root);
        Assert.Contains("does not exist; pass -p:DataRoot=/path", root);

        var image = Assert.Single(PreflightProblems(data, voc => File.Delete(Path.Combine(voc, "SegmentationClass", "2007_000033.png"))));
        Assert.Contains("SegmentationClass/2007_000033.png", image);
        Assert.Contains("segmentation mask file not found", image);
    }

    [Fact]
    public void More_images_than_voc2012s_split_holds_names_the_key_to_lower()
    {
        using var data = new TempDir();
        using var cache = new TempDir();
        Voc2012Fixture.Write(data.Path);
        var e = Assert.Throws<ConfigException>(() => InterpretabilityInputs.Images(Context(VocProfile(), cache.Path, data.Path), 5));
        Assert.Contains("VOC2012's segmentation split 'trainval'", e.Message);
        Assert.Contains("has 4; lower interpretability.images", e.Message);
    }

    [Fact]
    public void Listing_the_figures_needs_voc12_root_or_the_synthetic_scenes()
    {
        var p = VocProfile();
        p.Figures = ["interpretability", "heatmaps"];
        ProfileLoader.Validate(p, "voc");
        p.Interpretability!.Voc12Root = null;
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Validate(p, "no source"));
        Assert.Contains("data.scenes", e.Message);
        Assert.Contains("unless interpretability.voc12_root is set", e.Message);
    }

    [Theory]
    [InlineData("resnet18", null, "layer4.1")]
    [InlineData("resnet50", null, "layer4.2")]
    [InlineData("resnet18", new[] { 1, 1, 1, 3 }, "layer4.2")]
    [InlineData("resnet50", new[] { 1, 1, 1, 1 }, "layer4.0")]
    public void Grad_cam_layer_defaults_to_the_last_block_of_the_models_layer4(string architecture, int[]? depths, string expected)
    {
        var model = new ModelConfig { Architecture = architecture, Width = 0.125, Depths = depths?.ToList() };
        var config = VocProfile().Interpretability!;
        Assert.Null(config.GradCamLayer);
        Assert.Equal(expected, InterpretabilityInputs.Settings(config, model).GradCamLayer);
        // it is the model's own last block: named, and nothing after it in layer4
        using var net = ModelZoo.Create(model, 3, 32);
        var names = net.named_modules().Select(m => m.name).ToHashSet();
        Assert.Contains(expected, names);
        Assert.DoesNotContain($"layer4.{int.Parse(expected[7..]) + 1}", names);
        // an explicit layer wins
        config.GradCamLayer = "layer3.0";
        Assert.Equal("layer3.0", InterpretabilityInputs.Settings(config, model).GradCamLayer);
    }

    [Fact]
    public void A_vit_explains_a_voc_size_image_padded_to_whole_patches()
    {
        using var data = new TempDir();
        using var cache = new TempDir();
        Voc2012Fixture.Write(data.Path);
        var image = InterpretabilityInputs.Images(Context(VocProfile(), cache.Path, data.Path), 2)[1];
        Assert.Equal((500, 375), (image.Width, image.Height));
        var model = new ModelConfig { Architecture = "vit_b_32", Width = 0.02, Depths = [1] };
        TorchSharp.torch.manual_seed(11);
        using var vit = ModelZoo.Create(model, 3, 224);
        vit.eval();
        using var input = InterpretabilityInputs.Input(image, vit, TorchSharp.torch.CPU);
        Assert.Equal(new long[] { 1, 3, 384, 512 }, input.shape);
        var methods = InterpretabilityInputs.Methods(vit, model, InterpretabilityInputs.Settings(VocProfile().Interpretability!, model), seed: 1);
        var attention = methods.Single(m => m.Name == "attention");
        var heatmap = attention.OfImage(input, image.Height, image.Width);
        Assert.Equal((375, 500), (heatmap.Height, heatmap.Width));
        // one value per 32-pixel patch of a 12x16 grid, min-max scaled: the map spans [0, 1] and is constant inside a patch
        Assert.Equal((0f, 1f), (heatmap.Values.Min(), heatmap.Values.Max()));
        Assert.Equal(heatmap.Values[0], heatmap.Values[31 * 500 + 31]);
        Assert.InRange(heatmap.Values.Distinct().Count(), 2, 12 * 16);
        foreach (var method in methods) method.Dispose();
    }

    [Fact]
    public void A_grad_cam_layer_other_than_the_papers_is_a_listed_deviation()
    {
        var p = VocProfile();
        p.Models = [new ModelConfig { Architecture = "resnet18" }, new ModelConfig { Architecture = "resnet50", Width = 0.5 }, new ModelConfig { Architecture = "vit_b_32" }];
        Assert.DoesNotContain(InterpretabilityInputs.Deviations(p, null), d => d.Contains("Grad-CAM layer"));
        p.Interpretability!.GradCamLayer = "layer4.1";
        var deviation = Assert.Single(InterpretabilityInputs.Deviations(p, null), d => d.Contains("Grad-CAM layer"));
        Assert.Equal("Grad-CAM layer of resnet50-w0.5: layer4.1 (paper: layer4.2, the last block of layer4)", deviation);
    }
}

/// <summary>Experiment 1 through the paper profile on a VOC2012 fixture, with untrained checkpoints in place of training.</summary>
[Trait("Category", TestCategories.Integration)]
public class VocExperimentOneTests
{
    /// <summary>The paper profile pointed at the fixture, its models and counts shrunk to seconds on one core.</summary>
    static Profile ShrunkPaperProfile()
    {
        var p = ProfileLoader.Read(File.ReadAllText(Path.Combine(TestSupport.RepoRoot, "profiles", "paper.yaml")), "profiles/paper.yaml");
        Assert.Equal(Voc2012Fixture.Root, p.Interpretability!.Voc12Root);
        Assert.Contains("interpretability", p.Figures);
        Assert.Contains("heatmaps", p.Figures);
        p.Models =
        [
            new ModelConfig { Architecture = "resnet18", Width = 0.125, Iterations = 1 },
            new ModelConfig { Architecture = "vit_b_32", Width = 0.02, Depths = [1], PatchSize = 16, Iterations = 1 },
        ];
        p.Pruning.Iterations = 1;
        p.Pruning.Control = false;
        (p.Data.ImageSize, p.Data.ResizeSize, p.Data.EvalBatchSize, p.Data.Prefetch) = (32, 36, 4, 1);
        (p.Interpretability.Images, p.Interpretability.HeatmapImages, p.Interpretability.IgSteps, p.Interpretability.SmoothgradSamples) = (2, 1, 2, 1);
        p.Performance.Onednn = OneDnnMode.Off;
        return ProfileLoader.Validate(p, "profiles/paper.yaml, shrunk");
    }

    /// <summary>Every iteration of <paramref name="arm"/> as its store keeps it, from the untrained model: pruned by magnitude, top-1 measured.</summary>
    static void SaveUntrained(RunContext context, Trajectory arm)
    {
        using var net = arm.NewModel();
        using var masks = PruningMasks.Dense(net, context.Profile.Pruning.Layers);
        for (var k = 0; k <= arm.Iterations; k++)
        {
            if (k > 0 && !arm.IsControl) GlobalMagnitudePruner.Prune(masks, context.Profile.Pruning.Rate);
            var metrics = new IterationMetrics
            {
                Iteration = k, MeasuredSparsity = masks.MeasuredSparsity(), PrunableWeights = masks.TotalCount, NonzeroWeights = masks.RemainingCount,
                Top1 = Trainer.Evaluate(net, context.Data.ValLoader(context.Profile), context.Device), Device = context.DeviceDescription,
            };
            arm.Store.Save(k, net, masks, arm.Info(k), metrics);
        }
    }

    [Fact]
    public void Experiment_1_measures_voc2012_images_through_the_paper_profile()
    {
        using var data = new TempDir();
        using var cache = new TempDir();
        using var reports = new TempDir();
        Voc2012Fixture.Write(data.Path);
        Voc2012Fixture.WriteImageFolder(data.Path);
        var profile = ShrunkPaperProfile();
        var log = new List<string>();
        var context = new RunContext(profile, TestSupport.RepoRoot, cache.Path, data.Path, DeviceChoice.Cpu, log.Add) { ReportsRoot = reports.Path };
        foreach (var model in profile.Models)
            foreach (var arm in Trajectory.Arms(context, model))
                SaveUntrained(context, arm);

        var problems = new List<string>();
        new InterpretabilityFigure().Preflight(context, problems);
        new HeatmapsFigure().Preflight(context, problems);
        Assert.Empty(problems);

        // two images, the second at VOC's 500x375: every method scores both at full resolution (the ViT's input zero-padded to 512x384)
        var results = FigureRunner.Measure(new InterpretabilityFigure(), context);
        Assert.DoesNotContain(log, l => l.Contains(": training "));
        var methods = new Dictionary<string, string[]>
        {
            ["resnet18-w0.125"] = ["grad-cam", "guided-grad-cam", "ig-smoothgrad"],
            ["vit_b_32-w0.02-p16-d1"] = ["attention", "ig-smoothgrad"],
        };
        foreach (var (model, names) in methods)
            foreach (var method in names)
            {
                var scored = results.Values.Where(v => v.Series == $"{model}/{method}/paper" && v.Metric == "images_scored").ToList();
                Assert.Equal(2, scored.Count);
                Assert.All(scored, v => Assert.Equal(2, v.Value));
            }
        Assert.All(results.Values.Where(v => v.Metric is "rma" or "rra"), v => Assert.InRange(v.Value, 0, 1));
        Assert.DoesNotContain(results.Deviations, d => d.Contains("Grad-CAM layer"));

        // the heatmaps figure on the first image by id (its cells are drawn pixel by pixel: the small one keeps the test short)
        var heatmaps = FigureRunner.Measure(new HeatmapsFigure(), context);
        foreach (var (model, names) in methods)
            foreach (var method in names)
            {
                Assert.Contains($"cells/{model}/{method}/img1-iter01.png", heatmaps.Artefacts);
                Assert.Equal(2, heatmaps.Values.Count(v => v.Series == $"{model}/{method}/paper/img1" && v.Metric == "rma"));
            }
        Assert.DoesNotContain(log, l => l.Contains(": training "));
    }
}
