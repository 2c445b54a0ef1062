using Repro.Config;
using Repro.Models;
using static TorchSharp.torch;

namespace Repro.Tests.Models;

/// <summary>The full-size models against torchvision's: seconds each, to build 10-90 million parameters.</summary>
[Trait("Category", TestCategories.Integration)]
public class FullSizeModelTests
{
    static nn.Module<Tensor, Tensor> Build(string architecture) =>
        ModelZoo.Create(new ModelConfig { Architecture = architecture }, 1000, 224);

    static string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";

    // A few state-dict entries per architecture, as torchvision 0.14 names and shapes them.
    static readonly Dictionary<string, (string Key, string Shape)[]> KnownEntries = new()
    {
        ["resnet18"] =
        [
            ("conv1.weight", "[64, 3, 7, 7]"), ("bn1.num_batches_tracked", "[]"), ("layer2.0.downsample.0.weight", "[128, 64, 1, 1]"),
            ("layer4.1.bn2.running_var", "[512]"), ("fc.weight", "[1000, 512]"),
        ],
        ["resnet50"] = [("layer1.0.conv3.weight", "[256, 64, 1, 1]"), ("layer4.2.bn3.weight", "[2048]"), ("fc.weight", "[1000, 2048]")],
        ["vit_b_32"] =
        [
            ("conv_proj.weight", "[768, 3, 32, 32]"), ("class_token", "[1, 1, 768]"), ("encoder.pos_embedding", "[1, 50, 768]"),
            ("encoder.layers.encoder_layer_11.self_attention.in_proj_weight", "[2304, 768]"),
            ("encoder.layers.encoder_layer_11.self_attention.in_proj_bias", "[2304]"),
            ("encoder.layers.encoder_layer_0.self_attention.out_proj.weight", "[768, 768]"),
            ("encoder.layers.encoder_layer_0.ln_1.weight", "[768]"), ("encoder.layers.encoder_layer_0.ln_2.bias", "[768]"),
            ("encoder.layers.encoder_layer_0.mlp.0.weight", "[3072, 768]"), ("encoder.layers.encoder_layer_0.mlp.3.weight", "[768, 3072]"),
            ("encoder.ln.weight", "[768]"), ("heads.head.weight", "[1000, 768]"),
        ],
        ["vit_b_16"] = [("conv_proj.weight", "[768, 3, 16, 16]"), ("encoder.pos_embedding", "[1, 197, 768]")],
        ["swin_v2_t"] =
        [
            ("features.0.0.weight", "[96, 3, 4, 4]"), ("features.0.2.weight", "[96]"), ("features.1.0.attn.qkv.weight", "[288, 96]"),
            ("features.1.0.attn.logit_scale", "[3, 1, 1]"), ("features.1.0.attn.cpb_mlp.0.weight", "[512, 2]"),
            ("features.1.0.attn.cpb_mlp.2.weight", "[3, 512]"), ("features.1.0.attn.relative_coords_table", "[1, 15, 15, 2]"),
            ("features.1.0.attn.relative_position_index", "[4096]"), ("features.2.reduction.weight", "[192, 384]"),
            ("features.2.norm.weight", "[192]"), ("features.5.5.mlp.3.weight", "[384, 1536]"), ("features.7.1.norm2.bias", "[768]"),
            ("norm.weight", "[768]"), ("head.weight", "[1000, 768]"),
        ],
    };

    // Parameter and state-dict tensor counts of torchvision 0.14's models with 1000 classes.
    [Theory]
    [InlineData("resnet18", 11_689_512, 122)]
    [InlineData("resnet50", 25_557_032, 320)]
    [InlineData("vit_b_32", 88_224_232, 152)]
    [InlineData("vit_b_16", 86_567_656, 152)]
    [InlineData("swin_v2_t", 28_351_570, 233)]
    public void Full_size_models_match_torchvisions_counts_names_and_shapes(string architecture, long parameters, int stateDictTensors)
    {
        using var model = Build(architecture);
        Assert.Equal(parameters, model.parameters().Sum(p => p.numel()));
        var state = model.state_dict();
        Assert.Equal(stateDictTensors, state.Count);
        foreach (var (key, shape) in KnownEntries[architecture])
        {
            Assert.True(state.ContainsKey(key), $"{architecture} has no '{key}'");
            Assert.Equal((key, shape), (key, Shape(state[key])));
        }
    }
}
