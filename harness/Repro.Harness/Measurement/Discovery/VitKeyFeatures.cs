using Repro.Models;
using static TorchSharp.torch;

namespace Repro.Measurement.Discovery;

/// <summary>What a vision transformer exposes for LOST.</summary>
public interface IKeyFeatures
{
    int PatchSize { get; }

    /// <summary>
    /// The last block's projected keys for [B, 3, H, W] (H, W multiples of <see cref="PatchSize"/>; the model
    /// interpolates its position embeddings to that grid): [B, (H/P)·(W/P), d], patch tokens only (class token
    /// removed) in row-major grid order, heads concatenated along d (head-major), as the reference's
    /// k.transpose(1, 2).reshape(B, tokens, -1).
    /// </summary>
    Tensor LastBlockKeys(Tensor x);
}

/// <summary>ViT features for LOST: the last block's keys, used as they are (no standardisation, as in the reference).</summary>
public sealed class VitKeyFeatures(IKeyFeatures model, Device device) : IDiscoveryFeatures
{
    public string Description => $"ViT last-block keys, patch {Stride}";
    public int Stride => model.PatchSize;
    public Device Device { get; } = device;

    public PatchTokens Extract(Tensor paddedImage)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        int rows = (int)paddedImage.shape[2] / Stride, cols = (int)paddedImage.shape[3] / Stride;
        var keys = model.LastBlockKeys(paddedImage);
        if (keys.dim() != 3 || keys.shape[0] != 1 || keys.shape[1] != (long)rows * cols)
            throw new InvalidOperationException(
                $"LastBlockKeys returned [{string.Join(", ", keys.shape)}] for a {rows}x{cols} patch grid; expected [1, {rows * cols}, d] " +
                "(patch tokens only, class token removed)");
        return new PatchTokens(keys[0].MoveToOuterDisposeScope(), rows, cols);
    }
}

/// <summary>
/// A trained ViT's own last-block keys: the pruned model's, projected by its attention (the corrected reading of
/// errata 4, where the authors' run never loaded the pruned checkpoint and took the block's normalised input).
/// </summary>
public sealed class VisionTransformerKeys(VisionTransformer vit) : IKeyFeatures
{
    public int PatchSize => vit.PatchSize;
    public Tensor LastBlockKeys(Tensor x) => vit.LastBlockKeys(x);
}
