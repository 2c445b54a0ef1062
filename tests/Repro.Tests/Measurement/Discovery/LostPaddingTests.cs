using Repro.Config;
using Repro.Data;
using Repro.Figures;
using Repro.Measurement.Discovery;
using Repro.Models;
using static Repro.Tests.Measurement.Discovery.HandMadeFeatures;
using static TorchSharp.torch;

namespace Repro.Tests.Measurement.Discovery;

/// <summary>LOST's padding multiple in each fidelity and the box scale the reference derives from it.</summary>
[Trait("Category", TestCategories.Unit)]
public class LostPaddingTests
{
    static RgbImage Image(int width, int height) => new(width, height, new byte[width * height * 3]);

    /// <summary>A stride-32 backbone as a ResNet's strided convolutions see it: ceil(side / 32) cells per side.</summary>
    sealed class CeilGridFeatures(Func<int, int, Tensor> tokens) : IDiscoveryFeatures
    {
        public List<(long Height, long Width)> Inputs { get; } = [];
        public string Description => "ceil grid";
        public int Stride => 32;
        public Device Device => CPU;

        public PatchTokens Extract(Tensor paddedImage)
        {
            Inputs.Add((paddedImage.shape[2], paddedImage.shape[3]));
            int rows = (int)Math.Ceiling(paddedImage.shape[2] / 32.0), cols = (int)Math.Ceiling(paddedImage.shape[3] / 32.0);
            return new PatchTokens(tokens(rows, cols), rows, cols);
        }
    }

    sealed class Keys(int patch) : IKeyFeatures
    {
        public int PatchSize => patch;
        public Tensor LastBlockKeys(Tensor x) => throw new NotSupportedException("not run here");
    }

    [Fact]
    public void Paper_pads_to_the_authors_32_px_and_corrected_to_the_feature_stride()
    {
        Assert.Equal(32, DiscoveryInput.PadMultiple(32, Fidelity.Paper));
        Assert.Equal(32, DiscoveryInput.PadMultiple(16, Fidelity.Paper));
        Assert.Equal(32, DiscoveryInput.PadMultiple(8, Fidelity.Paper));
        Assert.Equal(16, DiscoveryInput.PadMultiple(16, Fidelity.Corrected));
        Assert.Equal(8, DiscoveryInput.PadMultiple(8, Fidelity.Corrected));
        Assert.Throws<ArgumentException>(() => DiscoveryInput.PadMultiple(32, Fidelity.Both));
    }

    [Fact]
    public void Box_scale_is_padded_size_over_map_size_as_the_reference_computes_it()
    {
        // 150x100 image, object in the last grid column from the second row down.
        var features = new CeilGridFeatures((rows, cols) => Map(rows, cols, (r, c) => c == cols - 1 && r >= 1 ? ObjectA : Background));

        // 32 px (the authors' run): 160x128, a 4x5 map, 32 px per cell.
        var at32 = new LostDiscoverer(features, new Lost(), 32).Discover(Image(150, 100));
        Assert.Equal(new PixelBox(128, 32, 150, 100), at32.Box);
        // 16 px (main_lost.py's default): 160x112, still a 4x5 map, so 28 px per row and 32 per column.
        var at16 = new LostDiscoverer(features, new Lost(), 16).Discover(Image(150, 100));
        Assert.Equal(new PixelBox(128, 28, 150, 100), at16.Box);
        Assert.Equal([(128L, 160L), (112L, 160L)], features.Inputs);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LostDiscoverer(features, new Lost(), 0));
    }

    [Fact]
    public void A_resnet_map_of_an_image_padded_to_16_has_ceil_of_a_32nd_cells_per_side()
    {
        manual_seed(3);
        using var resnet = (ResNet)ModelZoo.Create(new ModelConfig { Architecture = "resnet18", Width = 0.25 }, 10);
        resnet.eval();
        using var _ = no_grad();
        using var x = DiscoveryInput.Padded(Image(150, 100), 16);
        Assert.Equal([1L, 3, 112, 160], x.shape);
        using var map = resnet.Features(x);
        Assert.Equal((4L, 5L), (map.shape[2], map.shape[3]));
    }

    [Fact]
    public void The_predictions_name_the_padding_multiple()
    {
        var features = new CeilGridFeatures((rows, cols) => Map(rows, cols, (_, _) => Background));
        Assert.Equal("ceil grid; image zero-padded to a multiple of 32 px", new LostDiscoverer(features, new Lost(), 32).Description);
        Assert.EndsWith("multiple of 32 px", new LostDiscoverer(features).Description);
    }

    [Fact]
    public void A_vit_patch_that_does_not_divide_the_authors_padding_is_refused_in_paper_only()
    {
        var model = new ModelConfig { Architecture = "vit_b_16", PatchSize = 12 };
        var e = Assert.Throws<ConfigException>(() => ObjectDiscoveryFigure.PadMultipleFor(new VitKeyFeatures(new Keys(12), CPU), model, Fidelity.Paper));
        Assert.Contains($"model '{model.Key}'", e.Message);
        Assert.Contains("patch size 12", e.Message);
        Assert.Equal(12, ObjectDiscoveryFigure.PadMultipleFor(new VitKeyFeatures(new Keys(12), CPU), model, Fidelity.Corrected));
        Assert.Equal(32, ObjectDiscoveryFigure.PadMultipleFor(new VitKeyFeatures(new Keys(16), CPU), model, Fidelity.Paper));
    }

    [Theory]
    [InlineData(Fidelity.Corrected, 16, "resnet18", "ResNet: 16 px")]
    [InlineData(Fidelity.Corrected, 32, "vit_b_16", "ViT: its patch size")]
    [InlineData(Fidelity.Corrected, 32, "resnet18", null)]
    [InlineData(Fidelity.Paper, 16, "resnet18", null)]
    [InlineData(Fidelity.Both, 16, "resnet18", null)]
    public void Corrected_lists_its_padding_where_it_differs_from_the_authors(Fidelity fidelity, int stride, string architecture, string? names)
    {
        var profile = ProfileLoader.Load(TestSupport.RepoRoot, "ci");
        profile.Fidelity = fidelity;
        profile.Models = [new ModelConfig { Architecture = architecture, Width = 0.25 }];
        DiscoveryConfig.Of(profile).Stride = stride;
        var deviation = ObjectDiscoveryFigure.PaddingDeviation(profile);
        if (names == null)
            Assert.Null(deviation);
        else
        {
            Assert.Contains(names, deviation);
            Assert.Contains(deviation!, new ObjectDiscoveryFigure().Deviations(profile, null));
        }
    }

    [Theory]
    [InlineData(Fidelity.Corrected, true)]
    [InlineData(Fidelity.Paper, false)]
    [InlineData(Fidelity.Both, false)]
    public void The_dilated_stride_is_listed_only_where_it_runs(Fidelity fidelity, bool listed)
    {
        // fidelity both runs the paper's stride 32, so a requested 16 is no deviation there
        var profile = ProfileLoader.Load(TestSupport.RepoRoot, "ci");
        profile.Fidelity = fidelity;
        DiscoveryConfig.Of(profile).Stride = 16;
        Assert.Equal(listed, new ObjectDiscoveryFigure().Deviations(profile, null).Any(d => d.StartsWith("LOST on ResNet features at stride 16", StringComparison.Ordinal)));
    }
}
