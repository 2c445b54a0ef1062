using Repro.Config;
using static TorchSharp.torch;

namespace Repro.Pruning;

/// <summary>One point of a one-shot sweep: the target sparsity, the sparsity reached, and what was measured there.</summary>
public sealed record OneShotPoint(double TargetSparsity, double MeasuredSparsity, double Value);

/// <summary>
/// Global magnitude pruning in one step and without retraining, for quick studies of a trained model
/// (how fast does accuracy fall with sparsity before any retraining?).
/// </summary>
public static class OneShotMagnitudePruning
{
    /// <summary>Zeros the smallest-|w| round(sparsity × prunable) weights of <paramref name="model"/> in place and returns the masks.</summary>
    public static PruningMasks Prune(nn.Module model, PrunedLayers layers, double sparsity)
    {
        if (sparsity is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(sparsity), $"sparsity {sparsity} must be in [0, 1]");
        var masks = PruningMasks.Dense(model, layers);
        GlobalMagnitudePruner.PruneLowest(masks, (long)Math.Round(sparsity * masks.TotalCount), name => masks.Weights[name].abs());
        return masks;
    }

    /// <summary>
    /// For each sparsity, prunes the model's original weights to it and calls <paramref name="measure"/>
    /// (e.g. top-1 accuracy on a validation loader); the original weights are restored afterwards.
    /// </summary>
    public static IReadOnlyList<OneShotPoint> Sweep(nn.Module model, PrunedLayers layers, IEnumerable<double> sparsities, Func<double> measure)
    {
        var weights = PruningMasks.PrunableWeights(model, layers);
        var originals = weights.ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        var points = new List<OneShotPoint>();
        try
        {
            foreach (var sparsity in sparsities)
            {
                Restore(weights, originals);
                using var masks = Prune(model, layers, sparsity);
                points.Add(new OneShotPoint(sparsity, masks.MeasuredSparsity(), measure()));
            }
        }
        finally
        {
            Restore(weights, originals);
            foreach (var t in originals.Values) t.Dispose();
        }
        return points;
    }

    static void Restore(Dictionary<string, TorchSharp.Modules.Parameter> weights, Dictionary<string, Tensor> originals)
    {
        using var _ = no_grad();
        foreach (var (name, w) in weights) w.copy_(originals[name]);
    }
}
