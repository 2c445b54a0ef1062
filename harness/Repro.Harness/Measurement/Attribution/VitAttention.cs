using Repro.Models;
using static TorchSharp.torch;

namespace Repro.Measurement.Attribution;

/// <summary>The attention map's view of <see cref="VisionTransformer"/>: its last block's attention probabilities.</summary>
public sealed class VitAttention(VisionTransformer model) : IAttentionModel
{
    public int PatchSize => model.PatchSize;

    public Tensor LastBlockAttention(Tensor input)
    {
        using var capture = model.LastBlockAttention(input);
        // An alias outlives the capture's disposal of its own handle.
        return capture.Attention.alias();
    }
}
