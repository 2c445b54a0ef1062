using Repro.Config;
using Repro.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Pruning;

/// <summary>
/// Binary masks over the prunable weights (see <see cref="PrunableWeights"/>; biases, norms and embeddings
/// are never pruned). A masked weight is held at exactly zero: gradients are masked
/// before the optimizer step and weights after it.
/// </summary>
public sealed class PruningMasks : IDisposable
{
    readonly Dictionary<string, Tensor> _masks;
    readonly Dictionary<string, Parameter> _weights;

    public IReadOnlyDictionary<string, Tensor> Masks => _masks;
    public IReadOnlyDictionary<string, Parameter> Weights => _weights;

    PruningMasks(Dictionary<string, Parameter> weights, Dictionary<string, Tensor> masks)
    {
        _weights = weights;
        _masks = masks;
        // Owned (and disposed) here, so no dispose scope of a caller may free them.
        foreach (var m in masks.Values) m.DetachFromDisposeScope();
    }

    /// <summary>
    /// The prunable weights of a model, in module order, keyed by parameter name: Conv2d weights, Linear weights
    /// (attention out_proj included) unless <paramref name="layers"/> is Conv, and the fused attention
    /// in-projection (a raw parameter, left dense by the paper) only for ConvLinearAndAttentionInProjection.
    /// </summary>
    public static Dictionary<string, Parameter> PrunableWeights(nn.Module model, PrunedLayers layers)
    {
        var result = new Dictionary<string, Parameter>();
        foreach (var (name, module) in model.named_modules())
        {
            var (weight, parameterName) = module switch
            {
                Conv2d c => (c.weight, "weight"),
                Linear l when layers != PrunedLayers.Conv => (l.weight, "weight"),
                FusedSelfAttention a when layers == PrunedLayers.ConvLinearAndAttentionInProjection => (a.InProjectionWeight, "in_proj_weight"),
                _ => ((Parameter?)null, ""),
            };
            if (weight is not null) result[name.Length == 0 ? parameterName : $"{name}.{parameterName}"] = weight;
        }
        return result;
    }

    /// <summary>All-ones masks (the dense model).</summary>
    public static PruningMasks Dense(nn.Module model, PrunedLayers layers)
    {
        var weights = PrunableWeights(model, layers);
        return new PruningMasks(weights, weights.ToDictionary(kv => kv.Key, kv => ones_like(kv.Value, dtype: ScalarType.Bool)));
    }

    /// <summary>Masks for given weights, e.g. read back from a checkpoint.</summary>
    public static PruningMasks From(nn.Module model, PrunedLayers layers, IReadOnlyDictionary<string, Tensor> masks)
    {
        var weights = PrunableWeights(model, layers);
        var missing = weights.Keys.Except(masks.Keys).ToList();
        var extra = masks.Keys.Except(weights.Keys).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new InvalidDataException(
                $"pruning masks do not match the model's prunable weights: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}]");
        foreach (var (name, w) in weights)
            if (!w.shape.SequenceEqual(masks[name].shape))
                throw new InvalidDataException($"mask '{name}' has shape [{string.Join(",", masks[name].shape)}], weight has [{string.Join(",", w.shape)}]");
        return new PruningMasks(weights, masks.ToDictionary(kv => kv.Key, kv => kv.Value.to(ScalarType.Bool, weights[kv.Key].device)));
    }

    public long TotalCount => _masks.Values.Sum(m => m.numel());
    public long RemainingCount => _masks.Values.Sum(m => m.count_nonzero().item<long>());

    /// <summary>Zeros in the pruned tensors' weights as a share of their size (what the paper reports).</summary>
    public double MeasuredSparsity()
    {
        long zeros = 0, total = 0;
        using (no_grad())
            foreach (var w in _weights.Values)
            {
                total += w.numel();
                zeros += w.numel() - w.count_nonzero().item<long>();
            }
        return total == 0 ? 0 : zeros / (double)total;
    }

    public void ApplyToWeights()
    {
        using var _ = no_grad();
        foreach (var (name, w) in _weights) w.mul_(_masks[name]);
    }

    public void ApplyToGradients()
    {
        foreach (var (name, w) in _weights)
            w.grad?.mul_(_masks[name]);
    }

    /// <summary>Takes the values of <paramref name="saved"/>, the same masks read back (a training run's resume checkpoint).</summary>
    public void CopyFrom(IReadOnlyDictionary<string, Tensor> saved)
    {
        if (!saved.Keys.Order().SequenceEqual(_masks.Keys.Order()))
            throw new InvalidDataException($"saved masks [{string.Join(", ", saved.Keys)}] are not the model's [{string.Join(", ", _masks.Keys)}]");
        using var _ = no_grad();
        foreach (var (name, mask) in _masks) mask.copy_(saved[name]);
    }

    /// <summary>Moves masks along with a model that moved to another device.</summary>
    public void To(Device device)
    {
        foreach (var key in _masks.Keys.ToList())
        {
            var moved = _masks[key].to(device);
            if (!ReferenceEquals(moved, _masks[key])) { _masks[key].Dispose(); _masks[key] = moved; }
        }
    }

    public void Dispose()
    {
        foreach (var m in _masks.Values) m.Dispose();
    }

    internal void Replace(string name, Tensor mask)
    {
        _masks[name].Dispose();
        _masks[name] = mask;
    }
}
