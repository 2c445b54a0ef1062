using Repro.Config;
using Repro.Models;
using static TorchSharp.torch;

namespace Repro.Tests.Models;

[Trait("Category", TestCategories.Unit)]
public class ModelZooTests
{
    static nn.Module<Tensor, Tensor> Build(string architecture, double width = 1.0, int numClasses = 1000, int imageSize = 224,
        List<int>? depths = null, int? patch = null, List<bool>? dilation = null) =>
        ModelZoo.Create(new ModelConfig { Architecture = architecture, Width = width, Depths = depths, PatchSize = patch, Dilation = dilation },
            numClasses, imageSize);

    static string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";

    [Fact]
    public void ViT_S16_has_DINOs_geometry()
    {
        using var model = Build("vit_s_16");
        var vit = (VisionTransformer)model;
        Assert.Equal((16, 384, 6, 14), (vit.PatchSize, vit.HiddenDim, vit.NumHeads, vit.GridSize));
        Assert.Equal("[1152, 384]", Shape(model.state_dict()["encoder.layers.encoder_layer_11.self_attention.in_proj_weight"]));
    }

    [Fact]
    public void Width_scales_each_architecture()
    {
        using var resnet = Build("resnet18", width: 0.25, numClasses: 10);
        Assert.Equal("[16, 3, 7, 7]", Shape(resnet.state_dict()["conv1.weight"]));
        using var vit = Build("vit_b_32", width: 0.25, numClasses: 10, imageSize: 32, depths: [2], patch: 8);
        Assert.Equal("[192, 3, 8, 8]", Shape(vit.state_dict()["conv_proj.weight"]));
        Assert.Equal("[1, 17, 192]", Shape(vit.state_dict()["encoder.pos_embedding"]));
        Assert.Equal(2, vit.state_dict().Keys.Count(k => k.EndsWith("in_proj_weight")));
        using var swin = Build("swin_v2_t", width: 0.25, numClasses: 10, depths: [2, 2]);
        Assert.Equal("[24, 3, 4, 4]", Shape(swin.state_dict()["features.0.0.weight"]));
        Assert.False(swin.state_dict().ContainsKey("features.4.0.norm1.weight"));
    }

    [Fact]
    public void Small_models_run_forward_and_backward()
    {
        foreach (var (model, headBias) in new[]
                 {
                     (Build("resnet50", width: 0.125, numClasses: 5, depths: [1, 1, 1, 1]), "fc.bias"),
                     (Build("vit_s_16", width: 0.1, numClasses: 5, imageSize: 32, depths: [1], patch: 8), "heads.head.bias"),
                     (Build("swin_v2_t", width: 0.125, numClasses: 5, depths: [2, 1]), "head.bias"),
                 })
        {
            using var _ = model;
            model.train();
            using var x = randn(2, 3, 32, 32);
            using var logits = model.call(x);
            Assert.Equal("[2, 5]", Shape(logits));
            using var loss = logits.square().mean();
            loss.backward();
            Assert.All(model.named_parameters(), p =>
            {
                Assert.True(p.parameter.grad is { } g && g.shape.SequenceEqual(p.parameter.shape) && g.isfinite().all().item<bool>(),
                    $"{p.name}: no finite gradient of its own shape");
            });
            // d mean(logits²) / d bias of the classifier = 2 Σ_batch logits / logits.numel(), exactly.
            using var expected = logits.detach().sum(dim: 0L) * (2.0 / logits.numel());
            var bias = model.named_parameters().Single(p => p.name == headBias).parameter.grad!;
            Assert.True(bias.allclose(expected, rtol: 1e-5, atol: 1e-7), $"{headBias}: gradient off the analytic one");
        }
    }

    [Fact]
    public void Initialisation_follows_torchvision()
    {
        static double Std(Tensor t) => t.std().item<float>();
        using var vit = Build("vit_b_32", width: 0.25, numClasses: 10, imageSize: 64, depths: [1], patch: 16);
        var v = vit.state_dict();
        Assert.InRange(Std(v["conv_proj.weight"]), 0.95 * Math.Sqrt(1 / 768.0), 1.05 * Math.Sqrt(1 / 768.0));
        Assert.InRange(Std(v["encoder.pos_embedding"]), 0.017, 0.023);
        Assert.InRange(Std(v["encoder.layers.encoder_layer_0.mlp.0.weight"]), 0.95 * Math.Sqrt(2.0 / (192 + 768)), 1.05 * Math.Sqrt(2.0 / (192 + 768)));
        Assert.InRange(Std(v["encoder.layers.encoder_layer_0.mlp.0.bias"]), 1e-7, 1e-5);
        Assert.Equal(0, v["heads.head.weight"].abs().sum().item<float>());
        Assert.Equal(0, v["class_token"].abs().sum().item<float>());

        using var swin = Build("swin_v2_t", width: 0.25, numClasses: 10, depths: [1, 1]);
        var s = swin.state_dict();
        foreach (var key in new[] { "features.1.0.attn.qkv.weight", "features.1.0.mlp.0.weight", "features.1.0.attn.cpb_mlp.0.weight", "head.weight" })
            Assert.InRange(Std(s[key]), 0.017, 0.023);
        Assert.Equal(0, s["features.1.0.attn.qkv.bias"].abs().sum().item<float>());
        Assert.True(s["features.1.0.attn.logit_scale"].allclose(full(3, 1, 1, Math.Log(10), dtype: ScalarType.Float32)));
    }

    [Fact]
    public void Dilation_keeps_layer4_at_stride_16()
    {
        using var model = (ResNet)Build("resnet50", width: 0.125, numClasses: 5, dilation: [false, false, true]);
        model.eval();
        Assert.Equal(16, model.FeatureStride);
        using var x = randn(1, 3, 64, 64);
        using var _ = no_grad();
        using var features = model.Features(x);
        Assert.Equal($"[1, {model.FeatureChannels}, 4, 4]", Shape(features));
    }

    [Theory]
    [InlineData("vit_b_32", 56, null, null, null, "not a multiple of the patch size 32")]
    [InlineData("vit_b_32", 224, null, "1,2", null, "give 1 entry")]
    [InlineData("resnet18", 224, 8, null, null, "patch_size applies to ViT and Swin only")]
    [InlineData("resnet18", 224, null, "2,2", null, "give 4 entries")]
    [InlineData("swin_v2_t", 224, null, null, "true", "dilation applies to ResNets only")]
    [InlineData("resnet50", 224, null, null, "true,false", "give 3 (layer2, layer3, layer4)")]
    [InlineData("vgg16", 224, null, null, null, "unknown architecture 'vgg16'")]
    public void Knobs_that_do_not_fit_are_rejected(string architecture, int imageSize, int? patch, string? depths, string? dilation, string message)
    {
        var config = new ModelConfig
        {
            Architecture = architecture,
            PatchSize = patch,
            Depths = depths?.Split(',').Select(int.Parse).ToList(),
            Dilation = dilation?.Split(',').Select(bool.Parse).ToList(),
        };
        var e = Assert.Throws<ConfigException>(() => ModelZoo.Create(config, 10, imageSize));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Key_names_the_knobs_that_are_set()
    {
        Assert.Equal("resnet18-w0.25", new ModelConfig { Architecture = "resnet18", Width = 0.25 }.Key);
        Assert.Equal("resnet50-dil001", new ModelConfig { Architecture = "resnet50", Dilation = [false, false, true] }.Key);
        Assert.Equal("vit_b_32-w0.25-p8-d2", new ModelConfig { Architecture = "vit_b_32", Width = 0.25, PatchSize = 8, Depths = [2] }.Key);
    }
}
