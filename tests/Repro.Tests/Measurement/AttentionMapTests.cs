using Repro.Measurement.Attribution;
using static Repro.Tests.Measurement.TorchTestSupport;
using static TorchSharp.torch;

namespace Repro.Tests.Measurement;

[Collection(SerialTorch.Name)]
[Trait("Category", TestCategories.Unit)]
public class AttentionMapTests
{
    /// <summary>Returns a fixed attention tensor, as a ViT would for its last block.</summary>
    sealed class FixedAttention(Tensor attention, int patchSize) : IAttentionModel
    {
        public int PatchSize => patchSize;
        public Tensor LastBlockAttention(Tensor input) => attention.clone();
    }

    [Fact]
    public void Sums_the_heads_class_token_rows_upsampled_by_the_patch_size()
    {
        using var scope = NewDisposeScope();
        // Input 4x6 with 2-pixel patches: a 2x3 patch grid (rows first), 1 + 6 tokens, 2 heads.
        var attention = zeros(1, 2, 7, 7);
        attention[0, 0, 0, 1..] = tensor(new float[] { 1, 2, 3, 4, 5, 6 });
        attention[0, 1, 0, 1..] = tensor(new float[] { 10, 0, 0, 0, 0, 20 });
        attention[0, 0, 1, 1..] = full(6, 100f); // rows of other tokens are not used
        var map = new AttentionMap(new FixedAttention(attention, 2)).Attribute(zeros(1, 3, 4, 6));

        Assert.Equal(new long[] { 1, 1, 4, 6 }, map.shape);
        float[] expected =
        [
            11, 11, 2, 2, 3, 3,
            11, 11, 2, 2, 3, 3,
            4, 4, 5, 5, 26, 26,
            4, 4, 5, 5, 26, 26,
        ];
        Assert.Equal(expected, Values(map));
    }

    [Fact]
    public void Sides_that_are_not_multiples_of_the_patch_or_a_wrong_token_count_are_refused()
    {
        using var scope = NewDisposeScope();
        var attribution = new AttentionMap(new FixedAttention(zeros(1, 2, 7, 7), 2));
        var notMultiple = Assert.Throws<ArgumentException>(() => attribution.Attribute(zeros(1, 3, 5, 6)));
        Assert.Contains("zero-pad", notMultiple.Message);
        var wrongTokens = Assert.Throws<InvalidOperationException>(() => attribution.Attribute(zeros(1, 3, 4, 4)));
        Assert.Contains("2x2 patch grid", wrongTokens.Message);
    }
}
