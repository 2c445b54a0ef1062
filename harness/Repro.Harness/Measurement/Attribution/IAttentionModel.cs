using static TorchSharp.torch;

namespace Repro.Measurement.Attribution;

/// <summary>What the attention map needs from a vision transformer with a class token.</summary>
public interface IAttentionModel
{
    /// <summary>Side of the square patches, in pixels.</summary>
    int PatchSize { get; }

    /// <summary>
    /// The last block's attention probabilities for a normalised batch [B,3,H,W] whose sides are multiples of
    /// <see cref="PatchSize"/>: [B, heads, 1+N, 1+N], token 0 the class token, then N = (H/p)·(W/p) patches in
    /// row-major order. The caller owns the result.
    /// </summary>
    Tensor LastBlockAttention(Tensor input);
}
