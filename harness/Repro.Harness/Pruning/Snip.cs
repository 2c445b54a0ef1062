using static TorchSharp.torch;

namespace Repro.Pruning;

/// <summary>
/// SNIP (Lee et al., ICLR 2019) as the authors' train.py applies it: one training batch through the model in
/// training mode, connection sensitivity |w|·|∂L/∂w| (cross-entropy) for every prunable weight, and one global
/// threshold that leaves exactly round(sparsity × prunable) weights pruned. The model is then trained once.
/// </summary>
public static class Snip
{
    /// <summary>Prunes <paramref name="masks"/> to <paramref name="sparsity"/>; returns how many weights it removed.</summary>
    public static long Prune(nn.Module<Tensor, Tensor> model, PruningMasks masks, Tensor images, Tensor labels, double sparsity)
    {
        if (sparsity is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(sparsity), $"SNIP sparsity {sparsity} must be in [0, 1)");
        var target = (long)Math.Round(sparsity * masks.TotalCount);
        var alreadyPruned = masks.TotalCount - masks.RemainingCount;
        if (target < alreadyPruned)
            throw new InvalidOperationException($"SNIP target of {target} pruned weights is below the {alreadyPruned} already pruned");
        using var scope = NewDisposeScope();
        // Like the authors' run, this forward pass in training mode also updates BatchNorm's running statistics once.
        model.train();
        model.zero_grad();
        nn.functional.cross_entropy(model.call(images), labels).backward();
        var scores = masks.Weights.ToDictionary(kv => kv.Key, kv => (kv.Value.detach().abs() * kv.Value.grad!.abs()));
        model.zero_grad();
        return GlobalMagnitudePruner.PruneLowest(masks, target - alreadyPruned, name => scores[name]);
    }
}
