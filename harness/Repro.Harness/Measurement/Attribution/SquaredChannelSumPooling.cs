using Repro.Torch;
using static TorchSharp.torch;

namespace Repro.Measurement.Attribution;

/// <summary>Σ_c a_c² per pixel (Arras et al.'s "l2-norm squared").</summary>
public sealed class SquaredChannelSumPooling : IHeatmapPooling
{
    public Tensor Pool(Tensor attributions)
    {
        ExplainedClass.RequireImageBatch(attributions);
        using var scope = NewDisposeScope();
        return attributions.pow(Scalars.Of(2)).sum(1).MoveToOuterDisposeScope();
    }
}
