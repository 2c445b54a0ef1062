namespace Repro.Measurement.Alignment.Metrics;

/// <summary>
/// Observed consistency c_obs (Geirhos, Meding &amp; Wichmann 2020): the share of trials on which both observers are
/// correct or both are wrong.
/// </summary>
public sealed class ObservedConsistency : IPairwiseMetric
{
    public string Name => "observed consistency";
    public bool HigherIsCloser => true;

    public double Compute(IReadOnlyList<Decision> observer, IReadOnlyList<Decision> reference)
    {
        var pairs = TrialPairs.Match(observer, reference);
        if (pairs.Count == 0) throw new ArgumentException("observed consistency of an empty set of trials is undefined");
        return pairs.Count(p => p.A.IsCorrect == p.B.IsCorrect) / (double)pairs.Count;
    }
}
