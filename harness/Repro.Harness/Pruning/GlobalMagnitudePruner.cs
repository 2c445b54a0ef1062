using Repro.Torch;
using static TorchSharp.torch;

namespace Repro.Pruning;

/// <summary>
/// Global unstructured L1 pruning, as torch.nn.utils.prune.global_unstructured(L1Unstructured, amount=rate)
/// applied iteratively: removes round(rate × remaining) of the still-unpruned weights with the smallest
/// |w| across all prunable tensors together. Exactly that many are removed, ties at the threshold broken by
/// position (first in module order), on the device that holds the weights.
/// </summary>
public static class GlobalMagnitudePruner
{
    public static long Prune(PruningMasks masks, double rate) =>
        PruneByScore(masks, rate, name => masks.Weights[name].abs());

    /// <summary>Prunes round(rate × remaining) of the lowest-scoring unpruned weights; also serves SNIP-style scores.</summary>
    public static long PruneByScore(PruningMasks masks, double rate, Func<string, Tensor> score) =>
        PruneLowest(masks, (long)Math.Round(rate * masks.RemainingCount), score);

    /// <summary>Prunes exactly <paramref name="count"/> of the lowest-scoring unpruned weights.</summary>
    public static long PruneLowest(PruningMasks masks, long count, Func<string, Tensor> score)
    {
        if (count < 0 || count > masks.RemainingCount)
            throw new ArgumentOutOfRangeException(nameof(count), $"cannot prune {count} of {masks.RemainingCount} remaining weights");
        if (count == 0) return 0;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var names = masks.Masks.Keys.ToList();
        // Scored on the weights' device; already-pruned positions score +inf so that they are never chosen again.
        var flat = cat(names.Select(n => score(n).flatten().to(ScalarType.Float32)
            .masked_fill(masks.Masks[n].flatten().logical_not(), Scalars.Of(float.PositiveInfinity))).ToArray());
        // The count-th smallest score is the threshold (a selection, not a sort); everything below it goes,
        // and of the scores equal to it, the first ones by position until exactly count are gone.
        var threshold = flat.kthvalue(count, 0).values;
        var below = flat.lt(threshold);
        var equal = flat.eq(threshold);
        var fromEqual = count - below.sum().item<long>();
        // The scan that ranks tied positions is skipped in the usual case of a single weight at the threshold.
        var pruned = equal.sum().item<long>() == fromEqual
            ? below.logical_or(equal)
            : below.logical_or(equal.logical_and(equal.cumsum(0).le(Scalars.Of(fromEqual))));
        var newFlat = cat(names.Select(n => masks.Masks[n].flatten()).ToArray()).logical_and(pruned.logical_not());
        long offset = 0;
        foreach (var n in names)
        {
            var size = masks.Masks[n].numel();
            // Detached from every scope: the masks outlive any scope a caller runs pruning in.
            var piece = newFlat.narrow(0, offset, size).view(masks.Masks[n].shape).clone();
            masks.Replace(n, piece.DetachFromDisposeScope());
            offset += size;
        }
        masks.ApplyToWeights();
        return count;
    }

    /// <summary>Nominal sparsity after k iterations at a constant rate: 1 − (1 − rate)^k.</summary>
    public static double NominalSparsity(double rate, int iterations) => 1 - Math.Pow(1 - rate, iterations);
}
