using static TorchSharp.torch;

namespace Repro.Measurement.Attribution;

/// <summary>Channel sum, then per-image min-max scaling to [0,1] (a constant map becomes zeros).</summary>
public sealed class MinMaxPooling : IHeatmapPooling
{
    public Tensor Pool(Tensor attributions)
    {
        ExplainedClass.RequireImageBatch(attributions);
        using var scope = NewDisposeScope();
        return MinMaxScaling.Apply(attributions.sum(1)).MoveToOuterDisposeScope();
    }
}
