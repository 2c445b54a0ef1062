using Repro.Config;
using Repro.Data;
using Repro.Measurement.Discovery;
using Repro.Models;
using static Repro.Tests.Measurement.Discovery.HandMadeFeatures;
using static TorchSharp.torch;

namespace Repro.Tests.Measurement.Discovery;

[Trait("Category", TestCategories.Unit)]
public class DiscoveryFeaturesTests
{
    static RgbImage Gradient(int width, int height)
    {
        var pixels = new byte[width * height * 3];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = (byte)(i * 7 % 251);
        return new RgbImage(width, height, pixels);
    }

    static readonly ModelConfig SmallResNet = new() { Architecture = "resnet18", Width = 0.25 };

    static ResNet Trained()
    {
        manual_seed(3);
        return (ResNet)ModelZoo.Create(SmallResNet, 10);
    }

    [Fact]
    public void Images_are_zero_padded_bottom_right_to_a_multiple_of_the_stride_after_normalisation()
    {
        var image = Gradient(70, 33);
        using var padded = DiscoveryInput.Padded(image, 32);
        using var normalised = ImageTransforms.Normalize(ImageTransforms.ToTensor(image));

        Assert.Equal([1L, 3, 64, 96], padded.shape);
        Assert.True(padded[0, .., ..33, ..70].equal(normalised).all().item<bool>());
        Assert.Equal(0f, padded[0, .., 33.., ..].abs().sum().item<float>());
        Assert.Equal(0f, padded[0, .., .., 70..].abs().sum().item<float>());
        Assert.Equal(64, DiscoveryInput.PaddedSize(64, 32));
    }

    [Fact]
    public void Standardisation_is_over_the_whole_token_by_channel_matrix()
    {
        manual_seed(1);
        using var tokens = randn(12, 5) * 3 + 2;
        using var standardised = ResNetLayer4Features.Standardise(tokens);

        var mean = tokens.mean().item<float>();
        // By hand: TorchSharp 0.107's Tensor.var(unbiased: false) returns the unbiased variance.
        var variance = (tokens - mean).square().mean().item<float>();
        using var expected = (tokens - mean) / MathF.Sqrt(variance + 1e-5f);
        Assert.True(standardised.allclose(expected, rtol: 1e-4, atol: 1e-5));
        // Not per token: rows keep different means.
        Assert.True(standardised.mean(dimensions: [1]).std().item<float>() > 0.1f);
    }

    [Fact]
    public void ResNet_tokens_cover_the_padded_grid_at_stride_32()
    {
        var features = new ResNetLayer4Features(Trained());
        using var image = DiscoveryInput.Padded(Gradient(100, 70), features.Stride);

        var patches = features.Extract(image);

        Assert.Equal(32, features.Stride);
        Assert.Equal((3, 4), (patches.Rows, patches.Cols));
        Assert.Equal([12L, 128], patches.Tokens.shape);
        Assert.Equal(0f, patches.Tokens.mean().item<float>(), 4);
    }

    [Fact]
    public void Resnet_tokens_are_the_layer4_map_in_row_major_order()
    {
        var model = Trained();
        model.eval();
        using var image = DiscoveryInput.Padded(Gradient(96, 64), 32);
        using var map = model.Features(image);

        var patches = new ResNetLayer4Features(model).Extract(image);

        using var expected = ResNetLayer4Features.Standardise(map[0].permute(1, 2, 0).reshape(6, 128));
        Assert.True(patches.Tokens.allclose(expected, rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void Paper_fidelity_keeps_stride_32_whatever_dilation_is_asked_for()
    {
        var trained = Trained();
        Assert.Equal(32, ResNetLayer4Features.EffectiveStride(16, Fidelity.Paper));
        Assert.Equal(32, ResNetLayer4Features.EffectiveStride(8, Fidelity.Paper));
        Assert.Same(trained, ResNetLayer4Features.ForDiscovery(trained, SmallResNet, 10, 16, Fidelity.Paper));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(8)]
    public void Corrected_fidelity_really_dilates_and_keeps_the_trained_weights(int stride)
    {
        var trained = Trained();
        var dilated = ResNetLayer4Features.ForDiscovery(trained, SmallResNet, 10, stride, Fidelity.Corrected);

        Assert.Equal(stride, dilated.FeatureStride);
        var original = trained.state_dict();
        foreach (var (name, value) in dilated.state_dict())
            Assert.True(value.equal(original[name]).all().item<bool>(), name);
        var features = new ResNetLayer4Features(dilated);
        using var image = DiscoveryInput.Padded(Gradient(96, 64), stride);
        var patches = features.Extract(image);
        Assert.Equal((64 / stride, 96 / stride), (patches.Rows, patches.Cols));
    }

    [Fact]
    public void Unsupported_strides_and_unresolved_fidelity_are_rejected()
    {
        var e = Assert.Throws<ConfigException>(() => ResNetLayer4Features.EffectiveStride(4, Fidelity.Corrected));
        Assert.Contains("allowed values: 32, 16, 8", e.Message);
        Assert.Throws<ConfigException>(() => ResNetLayer4Features.EffectiveStride(4, Fidelity.Paper));
        Assert.Throws<ArgumentException>(() => ResNetLayer4Features.EffectiveStride(16, Fidelity.Both));
    }

    /// <summary>Stands in for a ViT: "keys" are the hand-made map of the patch grid, class token dropped.</summary>
    sealed class FakeVit(int patchSize, Func<int, int, Tensor> keys) : IKeyFeatures
    {
        public int PatchSize => patchSize;
        public Tensor LastBlockKeys(Tensor x) => keys((int)x.shape[2] / patchSize, (int)x.shape[3] / patchSize).unsqueeze(0);
    }

    [Fact]
    public void Vit_keys_feed_LOST_at_the_patch_size()
    {
        var vit = new FakeVit(16, (rows, cols) => Map(rows, cols, (r, c) => r == 2 && c is >= 3 and < 5 ? ObjectA : Background));
        var discoverer = new LostDiscoverer(new VitKeyFeatures(vit, CPU));

        var outcome = discoverer.Discover(Gradient(90, 50)); // padded 96x64: 4 rows x 6 cols

        Assert.Equal(new PixelBox(48, 32, 80, 48), outcome.Box);
    }

    [Fact]
    public void Vit_keys_with_the_class_token_left_in_are_rejected_with_the_shapes()
    {
        var vit = new FakeVit(16, (rows, cols) => zeros(rows * cols + 1, 8));
        var features = new VitKeyFeatures(vit, CPU);
        using var image = DiscoveryInput.Padded(Gradient(64, 32), 16);

        var e = Assert.Throws<InvalidOperationException>(() => features.Extract(image));
        Assert.Contains("[1, 9, 8]", e.Message);
        Assert.Contains("class token removed", e.Message);
    }
}
