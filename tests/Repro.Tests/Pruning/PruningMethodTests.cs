using Repro.Config;
using Repro.Models;
using Repro.Pruning;
using static TorchSharp.torch;

namespace Repro.Tests.Pruning;

[Trait("Category", TestCategories.Unit)]
public class PruningMethodTests
{
    static nn.Module<Tensor, Tensor> SmallResNet(int seed = 7)
    {
        manual_seed(seed);
        return ModelZoo.Create(new ModelConfig { Architecture = "resnet18", Width = 0.125, Depths = [1, 1, 1, 1] }, 4);
    }

    static (Tensor Images, Tensor Labels) Batch()
    {
        var g = new Generator(11);
        return (randn([8, 3, 32, 32], generator: g), randint(0, 4, [8], generator: g));
    }

    static Dictionary<string, Tensor> SnipScores(nn.Module<Tensor, Tensor> model, PruningMasks masks, Tensor images, Tensor labels)
    {
        model.train();
        model.zero_grad();
        nn.functional.cross_entropy(model.call(images), labels).backward();
        var scores = masks.Weights.ToDictionary(kv => kv.Key, kv => (kv.Value.detach().abs() * kv.Value.grad!.abs()).flatten());
        model.zero_grad();
        return scores;
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.914)]
    public void Snip_prunes_exactly_to_its_target_and_keeps_the_most_sensitive_weights(double sparsity)
    {
        var (images, labels) = Batch();
        using var model = SmallResNet();
        using var masks = PruningMasks.Dense(model, PrunedLayers.ConvAndLinear);
        // Scores from an identical model: training-mode BatchNorm uses batch statistics, so its gradients are the same.
        using var twin = SmallResNet(seed: 99);
        twin.load_state_dict(model.state_dict());
        using var twinMasks = PruningMasks.Dense(twin, PrunedLayers.ConvAndLinear);
        var scores = SnipScores(twin, twinMasks, images, labels);

        var removed = Snip.Prune(model, masks, images, labels, sparsity);

        var target = (long)Math.Round(sparsity * masks.TotalCount);
        Assert.Equal(target, removed);
        Assert.Equal(masks.TotalCount - target, masks.RemainingCount);
        var pruned = cat(masks.Masks.Keys.Select(k => scores[k].masked_select(masks.Masks[k].flatten().logical_not())).ToArray());
        var kept = cat(masks.Masks.Keys.Select(k => scores[k].masked_select(masks.Masks[k].flatten())).ToArray());
        Assert.True(pruned.max().item<float>() <= kept.min().item<float>(), $"pruned max {pruned.max().item<float>():E6} kept min {kept.min().item<float>():E6}");
        foreach (var (name, w) in masks.Weights)
            Assert.Equal(0, w.masked_select(masks.Masks[name].logical_not()).abs().sum().item<float>());
    }

    [Fact]
    public void Snip_on_a_partly_pruned_model_tops_up_to_the_target()
    {
        var (images, labels) = Batch();
        using var model = SmallResNet();
        using var masks = PruningMasks.Dense(model, PrunedLayers.Conv);
        GlobalMagnitudePruner.Prune(masks, 0.2);
        Snip.Prune(model, masks, images, labels, 0.6);
        Assert.Equal(masks.TotalCount - (long)Math.Round(0.6 * masks.TotalCount), masks.RemainingCount);
        Assert.Throws<InvalidOperationException>(() => Snip.Prune(model, masks, images, labels, 0.3));
    }

    [Fact]
    public void One_shot_pruning_removes_the_smallest_weights_globally()
    {
        using var model = SmallResNet();
        var before = cat(PruningMasks.PrunableWeights(model, PrunedLayers.ConvAndLinear).Values.Select(w => w.detach().abs().flatten()).ToArray());
        using var masks = OneShotMagnitudePruning.Prune(model, PrunedLayers.ConvAndLinear, 0.7);
        var target = (long)Math.Round(0.7 * masks.TotalCount);
        Assert.Equal(masks.TotalCount - target, masks.RemainingCount);
        Assert.Equal(target / (double)masks.TotalCount, masks.MeasuredSparsity(), 9);
        var threshold = before.sort().Values[target - 1].item<float>();
        foreach (var (name, w) in masks.Weights)
            Assert.True(w.abs().masked_select(masks.Masks[name]).min().item<float>() >= threshold);
    }

    [Fact]
    public void One_shot_sweep_measures_each_sparsity_and_restores_the_weights()
    {
        using var model = SmallResNet();
        model.eval();
        var weights = PruningMasks.PrunableWeights(model, PrunedLayers.ConvAndLinear);
        var originals = weights.ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        using var x = randn(2, 3, 32, 32);
        var seen = new List<double>();
        var points = OneShotMagnitudePruning.Sweep(model, PrunedLayers.ConvAndLinear, [0.0, 0.5, 0.9], () =>
        {
            using var masks = PruningMasks.Dense(model, PrunedLayers.ConvAndLinear);
            var zeros = masks.Weights.Values.Sum(w => w.eq(0).sum().item<long>()) / (double)masks.TotalCount;
            seen.Add(zeros);
            return zeros;
        });
        Assert.Equal([0.0, 0.5, 0.9], points.Select(p => p.TargetSparsity));
        Assert.Equal(seen, points.Select(p => p.Value));
        foreach (var p in points) Assert.Equal(p.TargetSparsity, p.MeasuredSparsity, 4);
        foreach (var (name, w) in weights) Assert.True(w.eq(originals[name]).all().item<bool>(), $"{name} not restored");
    }

    [Fact]
    public void Pruning_counts_are_validated()
    {
        using var model = SmallResNet();
        using var masks = PruningMasks.Dense(model, PrunedLayers.ConvAndLinear);
        Assert.Throws<ArgumentOutOfRangeException>(() => GlobalMagnitudePruner.PruneLowest(masks, masks.TotalCount + 1, n => masks.Weights[n].abs()));
        Assert.Throws<ArgumentOutOfRangeException>(() => OneShotMagnitudePruning.Prune(model, PrunedLayers.ConvAndLinear, 1.5));
    }
}
