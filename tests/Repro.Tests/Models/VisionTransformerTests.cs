using Repro.Config;
using Repro.Models;
using Repro.Pruning;
using static TorchSharp.torch;

namespace Repro.Tests.Models;

[Trait("Category", TestCategories.Unit)]
public class VisionTransformerTests
{
    // 32-px inputs, 8-px patches: a 4 × 4 grid, 2 layers, 2 heads of 8 channels.
    static VisionTransformer Tiny()
    {
        manual_seed(3);
        return new VisionTransformer("vit_tiny", imageSize: 32, patchSize: 8, numLayers: 2, numHeads: 2, hiddenDim: 16, mlpDim: 64, numClasses: 5);
    }

    [Fact]
    public void Position_embedding_is_resampled_to_the_input_grid_with_the_class_token_kept()
    {
        using var vit = Tiny();
        using var _ = no_grad();
        var stored = vit.state_dict()["encoder.pos_embedding"];
        using var same = vit.PositionEmbedding(4, 4);
        Assert.True(same.eq(stored).all().item<bool>());

        using var resampled = vit.PositionEmbedding(3, 6);
        Assert.Equal(new long[] { 1, 1 + 3 * 6, 16 }, resampled.shape);
        Assert.True(resampled.narrow(1, 0, 1).eq(stored.narrow(1, 0, 1)).all().item<bool>());

        // A field that is constant over the grid stays constant under bicubic resampling.
        stored.narrow(1, 1, 16).copy_(arange(16, dtype: ScalarType.Float32).view(1, 1, 16).expand(1, 16, 16));
        using var constant = vit.PositionEmbedding(5, 2);
        var expected = arange(16, dtype: ScalarType.Float32).view(1, 1, 16).expand(1, 10, 16);
        Assert.True(constant.narrow(1, 1, 10).allclose(expected, rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void Accepts_non_square_inputs_that_are_multiples_of_the_patch()
    {
        using var vit = Tiny();
        vit.eval();
        using var _ = no_grad();
        using var x = randn(2, 3, 24, 40);
        using var logits = vit.call(x);
        Assert.Equal(new long[] { 2, 5 }, logits.shape);
        using var tokens = vit.Tokens(x);
        Assert.Equal(new long[] { 2, 1 + 3 * 5, 16 }, tokens.shape);
        var e = Assert.Throws<ArgumentException>(() => vit.call(randn(1, 3, 30, 32)));
        Assert.Contains("multiples of the patch size 8", e.Message);
    }

    [Fact]
    public void Last_block_attention_captures_attention_and_projected_keys_consistent_with_the_forward_pass()
    {
        using var vit = Tiny();
        vit.eval();
        using var _ = no_grad();
        using var x = randn(2, 3, 24, 32);
        using var capture = vit.LastBlockAttention(x);
        const int tokens = 1 + 3 * 4;
        Assert.Equal((3, 4), (capture.GridHeight, capture.GridWidth));
        Assert.Equal(new long[] { 2, 2, tokens, tokens }, capture.Attention.shape);
        foreach (var t in new[] { capture.Queries, capture.Keys, capture.Values })
            Assert.Equal(new long[] { 2, 2, tokens, 8 }, t.shape);
        Assert.True(capture.Attention.sum(-1).allclose(ones(2, 2, tokens), atol: 1e-5));
        using var logits = vit.call(x);
        Assert.True(capture.Logits.allclose(logits, atol: 1e-5));
        // The captured attention is the one that weighs the captured values.
        using var reweighted = capture.Attention.matmul(capture.Values);
        using var sdpa = nn.functional.scaled_dot_product_attention(capture.Queries, capture.Keys, capture.Values);
        Assert.True(reweighted.allclose(sdpa, atol: 1e-5));
    }

    [Fact]
    public void Last_block_keys_are_the_captured_patch_keys_with_heads_concatenated_in_grid_order()
    {
        using var vit = Tiny();
        vit.eval();
        using var _ = no_grad();
        using var x = randn(1, 3, 24, 32);
        using var capture = vit.LastBlockAttention(x);
        using var keys = vit.LastBlockKeys(x);
        Assert.Equal(new long[] { 1, 3 * 4, 16 }, keys.shape);
        // Patch token t (grid row t / 4, column t % 4), head h: channels h·8 .. h·8+7; token 0 (class) dropped.
        for (var t = 0; t < 12; t++)
            for (var h = 0; h < 2; h++)
                Assert.True(keys[0, t].narrow(0, h * 8, 8).equal(capture.Keys[0, h, t + 1]).all().item<bool>());
    }

    [Fact]
    public void Pruning_leaves_the_fused_in_projection_dense_unless_asked()
    {
        using var vit = Tiny();
        var paper = PruningMasks.PrunableWeights(vit, PrunedLayers.ConvAndLinear);
        Assert.Contains("encoder.layers.encoder_layer_1.self_attention.out_proj.weight", paper.Keys);
        Assert.Contains("conv_proj.weight", paper.Keys);
        Assert.Contains("heads.head.weight", paper.Keys);
        Assert.DoesNotContain(paper.Keys, k => k.Contains("in_proj"));

        using var masks = PruningMasks.Dense(vit, PrunedLayers.ConvAndLinear);
        // conv_proj 16·3·8·8, per layer out_proj 16·16 + mlp 2·16·64, head 5·16.
        Assert.Equal(16 * 3 * 64 + 2 * (16 * 16 + 2 * 16 * 64) + 5 * 16, masks.TotalCount);
        GlobalMagnitudePruner.Prune(masks, 0.5);
        var inProj = vit.state_dict()["encoder.layers.encoder_layer_0.self_attention.in_proj_weight"];
        Assert.Equal(0, inProj.eq(0).sum().item<long>());

        var all = PruningMasks.PrunableWeights(vit, PrunedLayers.ConvLinearAndAttentionInProjection);
        Assert.Equal(paper.Count + 2, all.Count);
        Assert.Contains("encoder.layers.encoder_layer_0.self_attention.in_proj_weight", all.Keys);
    }
}
