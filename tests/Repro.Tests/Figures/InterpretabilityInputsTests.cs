using Repro.Config;
using Repro.Data;
using Repro.Data.Synthetic;
using Repro.Figures;
using Repro.Measurement.Attribution;
using Repro.Measurement.Localization;
using Repro.Models;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Tests.Figures;

/// <summary>The interpretability figures' inputs and averaging, and how they meet bad input.</summary>
[Trait("Category", TestCategories.Figures)]
public class InterpretabilityInputsTests
{
    static Profile ScenesProfile()
    {
        var p = TestSupport.TinyProfile();
        p.Data.Scenes = new SyntheticScenesConfig { Count = 6, MinSide = 48, MaxSide = 64, MaxObjects = 2, Classes = 3 };
        p.Interpretability = new InterpretabilityConfig { Images = 4, HeatmapImages = 2, IgSteps = 4, SmoothgradSamples = 1, NoiseStd = 1.0 };
        return p;
    }

    [Fact]
    public void Paper_averaging_divides_by_every_listed_image_corrected_by_the_images_scored()
    {
        // The second image's mask has no object pixel (e.g. all void): skipped and counted.
        var summary = new MetricSummary("RMA", [0.9, null, 0.6]);
        Assert.Equal(1, summary.Skipped);
        Assert.Equal(1.5 / 3, InterpretabilityInputs.Average(summary, Fidelity.Paper), 12);
        Assert.Equal(1.5 / 2, InterpretabilityInputs.Average(summary, Fidelity.Corrected), 12);
    }

    [Fact]
    public void A_list_without_any_scorable_image_fails_instead_of_averaging_nothing()
    {
        var e = Assert.Throws<InvalidOperationException>(() => InterpretabilityInputs.Average(new MetricSummary("RRA", [null, null]), Fidelity.Corrected));
        Assert.Contains("none of the 2 images", e.Message);
    }

    [Fact]
    public void Images_are_the_first_of_the_sorted_split_with_their_label_masks()
    {
        using var cache = new TempDir();
        var profile = ScenesProfile();
        var images = InterpretabilityInputs.Images(TestSupport.Context(profile, cache.Path), 4);
        Assert.Equal(["000001", "000002", "000003", "000004"], images.Select(i => i.Id));
        Assert.All(images, i => Assert.Equal(i.Height * i.Width, i.Labels.Length));
        Assert.All(images, i => Assert.True(i.Mask(Fidelity.Corrected).ObjectPixels > 0));
    }

    [Fact]
    public void An_image_without_its_mask_fails_naming_the_mask_file()
    {
        using var cache = new TempDir();
        var profile = ScenesProfile();
        var dir = SyntheticScenes.Ensure(cache.Path, profile.Data.Scenes!, profile.DataSeed);
        File.Delete(Path.Combine(SyntheticScenes.VocRoot(dir), "SegmentationClass", "000002.png"));
        var e = Assert.Throws<DataFileException>(() => InterpretabilityInputs.Images(TestSupport.Context(profile, cache.Path), 4));
        Assert.Contains("SegmentationClass/000002.png", e.Message);
        Assert.Contains("segmentation mask file not found", e.Message);
    }

    [Fact]
    public void Asking_for_more_images_than_the_split_holds_names_the_keys_to_change()
    {
        using var cache = new TempDir();
        var e = Assert.Throws<ConfigException>(() => InterpretabilityInputs.Images(TestSupport.Context(ScenesProfile(), cache.Path), 7));
        Assert.Contains("interpretability.images", e.Message);
        Assert.Contains("has 6", e.Message);
    }

    [Fact]
    public void An_unknown_grad_cam_layer_fails_before_any_training()
    {
        using var cache = new TempDir();
        var profile = ScenesProfile();
        profile.Interpretability!.GradCamLayer = "layer5.1";
        var context = TestSupport.Context(profile, cache.Path);
        var trajectory = new Trajectory(context, profile.Models[0]);
        var e = Assert.Throws<ConfigException>(() => InterpretabilityInputs.CheckLayer(trajectory, InterpretabilityInputs.Settings(profile.Interpretability, profile.Models[0])));
        Assert.Contains("interpretability.grad_cam_layer", e.Message);
        Assert.Contains("'layer5.1'", e.Message);
        Assert.Contains("layer4.1", e.Message);
        Assert.False(Directory.Exists(trajectory.Store.Directory));
    }

    [Fact]
    public void A_vit_input_is_zero_padded_to_whole_patches_and_its_heatmaps_cut_back_to_the_image()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var vit = new VisionTransformer("vit_tiny", imageSize: 32, patchSize: 8, numLayers: 2, numHeads: 2, hiddenDim: 16, mlpDim: 64, numClasses: 5);
        vit.eval();
        // torchvision initialises the head to zero: constant logits would leave IG nothing to attribute.
        using (no_grad())
            foreach (var (_, head) in vit.named_parameters().Where(p => p.name.StartsWith("heads.")))
                nn.init.normal_(head);
        var rng = new Random(5);
        var pixels = new byte[20 * 27 * 3];
        rng.NextBytes(pixels);
        var image = new ExplainedImage("x", new RgbImage(27, 20, pixels), new byte[20 * 27]);

        var input = InterpretabilityInputs.Input(image, vit, CPU);
        Assert.Equal(new long[] { 1, 3, 24, 32 }, input.shape);
        Assert.Equal(0, input[0, .., 20.., ..].abs().max().item<float>());
        Assert.Equal(0, input[0, .., .., 27..].abs().max().item<float>());
        Assert.NotEqual(0, input[0, .., ..20, ..27].abs().max().item<float>());

        var methods = InterpretabilityInputs.Methods(vit, new ModelConfig { Architecture = "vit_b_32" }, new AttributionSettings(IgSteps: 4, SmoothGradSamples: 1), seed: 1);
        Assert.Equal(["attention", "IG+SmoothGrad"], methods.Select(m => m.Name));
        foreach (var method in methods)
        {
            var heatmap = method.OfImage(input, image.Height, image.Width);
            Assert.Equal((20, 27), (heatmap.Height, heatmap.Width));
            Assert.True(heatmap.Values.Max() > 0, method.Name);
            method.Dispose();
        }
    }

    [Fact]
    public void An_architecture_the_paper_does_not_explain_is_refused()
    {
        using var swin = ModelZoo.Create(new ModelConfig { Architecture = "swin_v2_t", Width = 0.25, Depths = [1, 1] }, 5, 32);
        var e = Assert.Throws<ConfigException>(() => InterpretabilityInputs.Methods(swin, new ModelConfig { Architecture = "swin_v2_t" }, AttributionSettings.Paper, 1));
        Assert.Contains("ResNets and ViTs only", e.Message);
    }
}
