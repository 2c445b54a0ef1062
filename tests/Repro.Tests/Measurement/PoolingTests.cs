using Repro.Measurement.Attribution;
using Repro.Measurement.Localization;
using static Repro.Tests.Measurement.TorchTestSupport;
using static TorchSharp.torch;

namespace Repro.Tests.Measurement;

[Collection(SerialTorch.Name)]
[Trait("Category", TestCategories.Unit)]
public class PoolingTests
{
    [Fact]
    public void Min_max_pooling_sums_channels_and_scales_each_image()
    {
        using var scope = NewDisposeScope();
        // Image 0: channel sums (1, 3, 5, 2) → (0, 0.5, 1, 0.25). Image 1 is constant → zeros.
        var attributions = tensor(new float[] { 1, 1, 2, 1, 0, 2, 3, 1, 7, 7, 7, 7, 0, 0, 0, 0 }).view(2, 2, 2, 2);
        var pooled = new MinMaxPooling().Pool(attributions);
        Assert.Equal(new long[] { 2, 2, 2 }, pooled.shape);
        Assert.Equal([0f, 0.5f, 1f, 0.25f, 0, 0, 0, 0], Values(pooled));
    }

    [Fact]
    public void Squared_channel_sum_pooling_adds_the_squares()
    {
        using var scope = NewDisposeScope();
        var attributions = tensor(new float[] { 1, -2, 3, 0, -1, 1, 2, 0.5f }).view(1, 2, 2, 2);
        Assert.Equal([2f, 5f, 13f, 0.25f], Values(new SquaredChannelSumPooling().Pool(attributions)));
    }

    [Fact]
    public void A_pooled_batch_splits_into_one_heatmap_per_image()
    {
        using var scope = NewDisposeScope();
        var heatmaps = Heatmap.FromBatch(arange(12, dtype: ScalarType.Float32).view(2, 2, 3));
        Assert.Equal(2, heatmaps.Length);
        Assert.All(heatmaps, h => Assert.Equal((2, 3), (h.Height, h.Width)));
        Assert.Equal([6f, 7, 8, 9, 10, 11], heatmaps[1].Values);
        Assert.Throws<ArgumentException>(() => Heatmap.FromBatch(zeros(2, 1, 2, 3)));
    }
}
