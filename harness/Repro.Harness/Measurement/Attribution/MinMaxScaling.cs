using Repro.Torch;
using static TorchSharp.torch;

namespace Repro.Measurement.Attribution;

/// <summary>Per-image min-max scaling to [0,1].</summary>
public static class MinMaxScaling
{
    /// <summary>
    /// Scales each image of a [B,...] batch to [0,1]. A constant image (e.g. a Grad-CAM map the ReLU zeroed) becomes
    /// all zeros instead of 0/0.
    /// </summary>
    public static Tensor Apply(Tensor batch)
    {
        using var scope = NewDisposeScope();
        var flat = batch.flatten(1);
        var min = flat.amin([1], keepdim: true);
        var range = flat.amax([1], keepdim: true) - min;
        var divisor = where(range.gt(Scalars.Of(0)), range, ones_like(range));
        return ((flat - min) / divisor).view(batch.shape).MoveToOuterDisposeScope();
    }
}
