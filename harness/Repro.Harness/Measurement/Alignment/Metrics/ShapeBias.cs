namespace Repro.Measurement.Alignment.Metrics;

/// <summary>Shape bias with the fractions it is made of (fractions are over all trials given).</summary>
public sealed record ShapeBiasResult(double FractionShape, double FractionTexture, double Bias);

/// <summary>
/// Shape bias on cue-conflict images (Geirhos et al., ICLR 2019; model-vs-human ShapeBias): among trials whose shape
/// and texture classes differ, shape decisions / (shape decisions + texture decisions). Undefined (NaN) when no
/// decision names either cue.
/// </summary>
public static class ShapeBias
{
    public static ShapeBiasResult Of(IReadOnlyCollection<CueConflictDecision> decisions)
    {
        if (decisions.Count == 0) throw new ArgumentException("shape bias of an empty set of decisions is undefined");
        var conflicting = decisions.Where(d => d.ShapeCategory != d.TextureCategory).ToList();
        var shape = conflicting.Count(d => d.Response == d.ShapeCategory) / (double)decisions.Count;
        var texture = conflicting.Count(d => d.Response == d.TextureCategory) / (double)decisions.Count;
        return new ShapeBiasResult(shape, texture, shape + texture == 0 ? double.NaN : shape / (shape + texture));
    }
}
