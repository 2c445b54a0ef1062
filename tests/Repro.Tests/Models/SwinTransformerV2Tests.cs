using Repro.Models;
using static TorchSharp.torch;

namespace Repro.Tests.Models;

[Trait("Category", TestCategories.Unit)]
public class SwinTransformerV2Tests
{
    static SwinTransformerV2 Small(double stochasticDepth = 0.2)
    {
        manual_seed(5);
        return new SwinTransformerV2("swin_small", patchSize: 4, embedDim: 12, depths: [2, 2], windowSize: 8,
            stochasticDepthProb: stochasticDepth, numClasses: 4);
    }

    [Theory]
    [InlineData(56, 56)]   // 14 × 14 tokens: padded to the window, shifted
    [InlineData(32, 48)]   // 8 × 12: one window high (no vertical shift), padded and shifted horizontally
    [InlineData(20, 20)]   // 5 × 5: smaller than one window, no shift
    public void Features_and_logits_have_the_expected_shapes(int height, int width)
    {
        using var swin = Small();
        swin.eval();
        using var _ = no_grad();
        using var x = randn(2, 3, height, width);
        using var features = swin.Features(x);
        Assert.Equal(new long[] { 2, (height / 4 + 1) / 2, (width / 4 + 1) / 2, 24 }, features.shape);
        using var logits = swin.call(x);
        Assert.Equal(new long[] { 2, 4 }, logits.shape);
        Assert.False(logits.isnan().any().item<bool>());
    }

    [Fact]
    public void Stochastic_depth_acts_only_while_training()
    {
        using var swin = Small(stochasticDepth: 0.9);
        using var x = randn(4, 3, 32, 32);
        using var _ = no_grad();
        swin.eval();
        using var a = swin.call(x);
        using var b = swin.call(x);
        Assert.True(a.eq(b).all().item<bool>());
        swin.train();
        manual_seed(1);
        using var c = swin.call(x);
        manual_seed(2);
        using var d = swin.call(x);
        Assert.False(c.allclose(d));
    }

    [Fact]
    public void Key_bias_stays_out_of_the_attention()
    {
        using var swin = Small();
        swin.eval();
        using var _ = no_grad();
        using var x = randn(1, 3, 32, 32);
        using var before = swin.call(x);
        var bias = swin.state_dict()["features.1.0.attn.qkv.bias"];
        bias.narrow(0, 12, 12).add_(5);
        using var after = swin.call(x);
        Assert.True(before.allclose(after, atol: 1e-6));
    }
}
