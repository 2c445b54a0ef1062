using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Repro.Measurement.Attribution;

/// <summary>
/// The ViT attention map of the paper (as DINO visualises it): the last block's class-token row of attention to the
/// patches, one map per head on the patch grid, each upsampled by the patch size (nearest), then summed over heads.
/// Class-agnostic: the target is ignored. Result [B,1,H,W]; the paper then min-max scales it.
/// Heights and widths are kept in their places (the authors' resize swapped them: errata 3).
/// </summary>
public sealed class AttentionMap(IAttentionModel model) : IAttribution
{
    public Tensor Attribute(Tensor input, Tensor? target = null)
    {
        ExplainedClass.RequireImageBatch(input);
        var patch = model.PatchSize;
        long height = input.shape[2], width = input.shape[3];
        if (height % patch != 0 || width % patch != 0)
            throw new ArgumentException(
                $"input is {height}x{width} (HxW), not a multiple of the patch size {patch}; zero-pad it bottom/right first",
                nameof(input));
        long rows = height / patch, columns = width / patch;

        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var attention = model.LastBlockAttention(input);
        if (attention.dim() != 4 || attention.shape[0] != input.shape[0] ||
            attention.shape[2] != 1 + rows * columns || attention.shape[3] != 1 + rows * columns)
            throw new InvalidOperationException(
                $"the model's attention has shape [{string.Join(",", attention.shape)}]; expected " +
                $"[{input.shape[0]}, heads, {1 + rows * columns}, {1 + rows * columns}] for a {rows}x{columns} patch grid plus the class token");
        var perHead = attention.select(2, 0).narrow(2, 1, rows * columns).reshape(input.shape[0], attention.shape[1], rows, columns);
        var upsampled = interpolate(perHead, [height, width], mode: InterpolationMode.Nearest);
        return upsampled.sum(1, keepdim: true).MoveToOuterDisposeScope();
    }
}
