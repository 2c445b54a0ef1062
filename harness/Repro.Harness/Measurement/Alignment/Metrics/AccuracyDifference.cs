namespace Repro.Measurement.Alignment.Metrics;

/// <summary>
/// Accuracy difference (Geirhos et al. 2021): (accuracy₁ − accuracy₂)², the benchmark's SixteenClassAccuracyDifference
/// with its default norm np.square. Lower is closer.
/// </summary>
public sealed class AccuracyDifference : IPairwiseMetric
{
    public string Name => "accuracy difference";
    public bool HigherIsCloser => false;

    public double Compute(IReadOnlyList<Decision> observer, IReadOnlyList<Decision> reference)
    {
        var d = Top1Accuracy.Of(observer) - Top1Accuracy.Of(reference);
        return d * d;
    }
}
