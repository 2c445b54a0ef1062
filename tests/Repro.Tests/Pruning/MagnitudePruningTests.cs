using Repro.Config;
using Repro.Models;
using Repro.Pruning;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Tests.Pruning;

[Trait("Category", TestCategories.Unit)]
public class MagnitudePruningTests
{
    static nn.Module<Tensor, Tensor> SmallResNet()
    {
        manual_seed(3);
        return ModelZoo.Create(new ModelConfig { Architecture = "resnet18", Width = 0.25 }, 10);
    }

    [Fact]
    public void Measured_sparsity_follows_one_minus_point_eight_to_the_k()
    {
        using var model = SmallResNet();
        using var masks = PruningMasks.Dense(model, PrunedLayers.ConvAndLinear);
        for (var k = 1; k <= 12; k++)
        {
            var before = masks.RemainingCount;
            var removed = GlobalMagnitudePruner.Prune(masks, 0.2);
            Assert.Equal((long)Math.Round(0.2 * before), removed);
            Assert.Equal(before - removed, masks.RemainingCount);
            var nominal = GlobalMagnitudePruner.NominalSparsity(0.2, k);
            Assert.InRange(masks.MeasuredSparsity() - nominal, -0.001, 0.001);
        }
    }

    [Fact]
    public void Prunes_the_smallest_magnitudes_globally()
    {
        using var model = SmallResNet();
        using var masks = PruningMasks.Dense(model, PrunedLayers.ConvAndLinear);
        GlobalMagnitudePruner.Prune(masks, 0.5);
        float maxPruned = 0, minKept = float.MaxValue;
        foreach (var (name, w) in masks.Weights)
        {
            var m = masks.Masks[name];
            var abs = w.detach().abs();
            if (m.logical_not().any().item<bool>())
                maxPruned = Math.Max(maxPruned, abs.masked_select(m.logical_not()).max().item<float>());
            if (m.any().item<bool>())
                minKept = Math.Min(minKept, abs.masked_select(m).min().item<float>());
        }
        // Pruned weights were zeroed, so compare on a fresh copy of the same initialisation.
        using var fresh = SmallResNet();
        var original = PruningMasks.PrunableWeights(fresh, PrunedLayers.ConvAndLinear);
        float maxPrunedOriginal = 0;
        foreach (var (name, w) in original)
        {
            var pruned = masks.Masks[name].logical_not();
            if (pruned.any().item<bool>())
                maxPrunedOriginal = Math.Max(maxPrunedOriginal, w.detach().abs().masked_select(pruned).max().item<float>());
        }
        Assert.Equal(0f, maxPruned);
        Assert.True(maxPrunedOriginal <= minKept, $"a pruned weight ({maxPrunedOriginal}) was larger than a kept one ({minKept})");
    }

    [Fact]
    public void Ties_at_the_threshold_are_broken_by_position_and_exactly_the_count_is_removed()
    {
        using var model = SmallResNet();
        using var masks = PruningMasks.Dense(model, PrunedLayers.ConvAndLinear);
        using (no_grad())
            foreach (var w in masks.Weights.Values) w.fill_(0.5f);
        var first = masks.Weights.Keys.First();
        var firstSize = masks.Weights[first].numel();
        // Every weight ties: the count pruned must come from the front, all of the first tensor and then some.
        var count = firstSize + 7;
        GlobalMagnitudePruner.PruneLowest(masks, count, n => masks.Weights[n].abs());
        Assert.Equal(masks.TotalCount - count, masks.RemainingCount);
        Assert.False(masks.Masks[first].any().item<bool>());
        var second = masks.Masks[masks.Weights.Keys.ElementAt(1)].flatten();
        Assert.False(second.narrow(0, 0, 7).any().item<bool>());
        Assert.True(second.narrow(0, 7, second.numel() - 7).all().item<bool>());
    }

    [Fact]
    public void Layer_set_excludes_linear_when_conv_only()
    {
        using var model = SmallResNet();
        var convOnly = PruningMasks.PrunableWeights(model, PrunedLayers.Conv);
        var all = PruningMasks.PrunableWeights(model, PrunedLayers.ConvAndLinear);
        Assert.DoesNotContain("fc.weight", convOnly.Keys);
        Assert.Contains("fc.weight", all.Keys);
        Assert.Contains("conv1.weight", convOnly.Keys);
        Assert.Contains("layer2.0.downsample.0.weight", convOnly.Keys);
        Assert.All(all.Keys, k => Assert.DoesNotContain("bn", k));
    }

    [Fact]
    public void Masked_weights_stay_zero_through_optimizer_steps()
    {
        using var model = SmallResNet();
        using var masks = PruningMasks.Dense(model, PrunedLayers.ConvAndLinear);
        GlobalMagnitudePruner.Prune(masks, 0.6);
        var sparsity = masks.MeasuredSparsity();
        using var opt = optim.SGD(model.parameters(), 0.05, momentum: 0.9, weight_decay: 1e-4);
        model.train();
        for (var step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            var loss = nn.functional.cross_entropy(model.call(randn(4, 3, 32, 32)), tensor(new long[] { 0, 1, 2, 3 }));
            opt.zero_grad();
            loss.backward();
            masks.ApplyToGradients();
            opt.step();
            masks.ApplyToWeights();
        }
        Assert.Equal(sparsity, masks.MeasuredSparsity(), 12);
        foreach (var (name, w) in masks.Weights)
            Assert.Equal(0, w.detach().masked_select(masks.Masks[name].logical_not()).count_nonzero().item<long>());
    }
}
