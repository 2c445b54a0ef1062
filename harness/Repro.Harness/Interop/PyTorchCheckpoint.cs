using Repro.Config;
using Repro.Pruning;
using Repro.Torch;
using static TorchSharp.torch;

namespace Repro.Interop;

/// <summary>
/// Moves weights between the suite's models and PyTorch state dicts with torchvision's names. Reading accepts
/// what PyTorch scripts write: a "module." prefix (DataParallel / DistributedDataParallel) and torch's pruning
/// reparametrisation (X.weight_orig + X.weight_mask, which become X.weight = orig × mask and the suite's mask).
/// </summary>
public static class PyTorchCheckpoint
{
    const string ParallelPrefix = "module.";
    const string OrigSuffix = ".weight_orig";
    const string MaskSuffix = ".weight_mask";

    /// <summary>
    /// Loads <paramref name="path"/> into <paramref name="model"/> (every parameter and buffer must match by name
    /// and shape) and returns masks over <paramref name="layers"/>: the file's weight_mask tensors where it has
    /// them (ones for other prunable weights); for a file without masks, its zero weights count as pruned.
    /// </summary>
    public static PruningMasks Load(string path, nn.Module model, PrunedLayers layers)
    {
        Dictionary<string, Tensor> masks;
        using (NewDisposeScope())
        {
            var (weights, fileMasks) = Normalise(TorchSaveFile.ReadStateDict(path), path);
            CopyInto(model, weights, path);
            masks = MaskTensors(model, layers, fileMasks, path);
            foreach (var m in masks.Values) m.DetachFromDisposeScope();
        }
        return PruningMasks.From(model, layers, masks);
    }

    /// <summary>
    /// Writes the model's state dict so that torch.load + load_state_dict read it into the torchvision model.
    /// With <paramref name="masks"/>, pruned weights are written as torch's reparametrisation (X.weight_orig,
    /// X.weight_mask), which loads into a model after torch.nn.utils.prune.identity on those layers.
    /// </summary>
    public static void Save(string path, nn.Module model, PruningMasks? masks = null)
    {
        using var scope = NewDisposeScope();
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, t) in model.state_dict())
        {
            if (masks != null && masks.Masks.TryGetValue(name, out var mask))
            {
                var stem = name[..^".weight".Length];
                state[stem + OrigSuffix] = t;
                state[stem + MaskSuffix] = mask.to(t.dtype);
            }
            else state[name] = t;
        }
        TorchSaveFile.Write(path, state);
    }

    /// <summary>Strips the parallel prefix and folds orig × mask pairs into weights.</summary>
    static (Dictionary<string, Tensor> Weights, Dictionary<string, Tensor> Masks) Normalise(Dictionary<string, Tensor> raw, string path)
    {
        var stripped = new Dictionary<string, Tensor>();
        foreach (var (key, t) in raw)
        {
            var name = key;
            while (name.StartsWith(ParallelPrefix, StringComparison.Ordinal)) name = name[ParallelPrefix.Length..];
            if (!stripped.TryAdd(name, t))
                throw new InvalidDataException($"{path}: '{key}' and another key both name '{name}' once the '{ParallelPrefix}' prefix is removed");
        }
        var weights = new Dictionary<string, Tensor>();
        var masks = new Dictionary<string, Tensor>();
        foreach (var (name, t) in stripped)
        {
            if (name.EndsWith(MaskSuffix, StringComparison.Ordinal))
            {
                if (!stripped.ContainsKey(name[..^MaskSuffix.Length] + OrigSuffix))
                    throw new InvalidDataException($"{path}: '{name}' has no matching '{name[..^MaskSuffix.Length] + OrigSuffix}'");
                continue;
            }
            if (name.EndsWith(OrigSuffix, StringComparison.Ordinal))
            {
                var stem = name[..^OrigSuffix.Length];
                if (!stripped.TryGetValue(stem + MaskSuffix, out var mask))
                    throw new InvalidDataException($"{path}: '{name}' has no matching '{stem + MaskSuffix}'");
                if (!mask.shape.SequenceEqual(t.shape))
                    throw new InvalidDataException($"{path}: '{stem + MaskSuffix}' is {Shape(mask)} but '{name}' is {Shape(t)}");
                weights[stem + ".weight"] = t * mask;
                masks[stem + ".weight"] = mask.ne(Scalars.Of(0));
            }
            else weights[name] = t;
        }
        return (weights, masks);
    }

    static void CopyInto(nn.Module model, Dictionary<string, Tensor> weights, string path)
    {
        var target = model.state_dict();
        var missing = target.Keys.Where(k => !weights.ContainsKey(k)).ToList();
        var unexpected = weights.Keys.Where(k => !target.ContainsKey(k)).ToList();
        var mismatched = target.Where(kv => weights.TryGetValue(kv.Key, out var w) && !SameShape(w, kv.Value))
            .Select(kv => $"'{kv.Key}': checkpoint {Shape(weights[kv.Key])}, model {Shape(kv.Value)}").ToList();
        if (missing.Count + unexpected.Count + mismatched.Count > 0)
        {
            var problems = new List<string>();
            if (mismatched.Count > 0) problems.Add($"{mismatched.Count} shape mismatch(es): {string.Join("; ", mismatched)}");
            if (missing.Count > 0) problems.Add($"{missing.Count} missing key(s): [{string.Join(", ", missing)}]");
            if (unexpected.Count > 0) problems.Add($"{unexpected.Count} unexpected key(s): [{string.Join(", ", unexpected)}]");
            throw new InvalidDataException(
                $"{path}: does not fit the model ({model.GetName()}, {target.Count} tensors): {string.Join(". ", problems)}. " +
                "The checkpoint is for another architecture, width or class count: build the model it was saved from.");
        }
        using var _ = no_grad();
        foreach (var (name, t) in target)
            t.copy_(weights[name].reshape(t.shape).to(t.dtype, t.device));
    }

    static Dictionary<string, Tensor> MaskTensors(nn.Module model, PrunedLayers layers, Dictionary<string, Tensor> fileMasks, string path)
    {
        var prunable = PruningMasks.PrunableWeights(model, layers);
        var outside = fileMasks.Keys.Where(k => !prunable.ContainsKey(k)).ToList();
        if (outside.Count > 0)
            throw new InvalidDataException(
                $"{path}: has pruning masks for weights outside the pruned layer set '{layers}': [{string.Join(", ", outside)}]. " +
                "Load it with the layer set it was pruned with (pruning.layers).");
        using var _ = no_grad();
        return prunable.ToDictionary(kv => kv.Key, kv =>
            fileMasks.Count == 0 ? kv.Value.ne(Scalars.Of(0))
            : fileMasks.TryGetValue(kv.Key, out var m) ? m.to(kv.Value.device)
            : ones_like(kv.Value, dtype: ScalarType.Bool));
    }

    // torch.save keeps 0-dim tensors (num_batches_tracked) as 0-dim, the reader returns them as [1].
    static bool SameShape(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) || (a.numel() == 1 && b.numel() == 1 && Math.Min(a.dim(), b.dim()) == 0 && Math.Max(a.dim(), b.dim()) == 1);

    static string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";
}
