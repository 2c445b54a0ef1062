using Repro.Config;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>
/// torchvision's parameter groups for weight decay (references/classification/utils.py set_weight_decay, as train.py
/// calls it): a parameter named bias gets bias_weight_decay, one named class_token, position_embedding or
/// relative_position_bias_table gets transformer_embedding_decay (names matched as torchvision matches them, on the
/// parameter's own name), any other parameter of a normalisation layer gets norm_weight_decay, the rest weight_decay.
/// A group whose key is null keeps weight_decay.
/// </summary>
public static class WeightDecayGroups
{
    /// <summary>torchvision's transformer embedding names; ViT's position embedding is pos_embedding, so, as in torchvision, it keeps weight_decay.</summary>
    public static readonly string[] EmbeddingNames = ["class_token", "position_embedding", "relative_position_bias_table"];

    /// <summary>Whether <paramref name="s"/> sets any group (otherwise every parameter has weight_decay).</summary>
    public static bool Any(ScheduleConfig s) => s.NormWeightDecay != null || s.BiasWeightDecay != null || s.TransformerEmbeddingDecay != null;

    /// <summary>The weight decay of each parameter of <paramref name="model"/>, in model.parameters() order.</summary>
    public static double[] For(nn.Module model, ScheduleConfig s)
    {
        var decayOf = new Dictionary<IntPtr, double>();
        foreach (var module in new[] { model }.Concat(model.named_modules().Select(m => m.module)))
        {
            var isNorm = module is BatchNorm or LayerNorm or GroupNorm;
            foreach (var (name, parameter) in module.named_parameters(recurse: false))
                decayOf.TryAdd(parameter.Handle, name switch
                {
                    "bias" when s.BiasWeightDecay is { } bias => bias,
                    _ when s.TransformerEmbeddingDecay is { } embedding && EmbeddingNames.Contains(name) => embedding,
                    _ when isNorm && s.NormWeightDecay is { } norm => norm,
                    _ => s.WeightDecay,
                });
        }
        return model.parameters().Select(p => decayOf.TryGetValue(p.Handle, out var d) ? d : s.WeightDecay).ToArray();
    }
}
