namespace Repro.Measurement.Alignment.Metrics;

/// <summary>Error consistency with the quantities it is made of.</summary>
public sealed record ErrorConsistencyResult(double ExpectedConsistency, double ObservedConsistency, double Kappa);

/// <summary>
/// Error consistency (Geirhos, Meding &amp; Wichmann, NeurIPS 2020): Cohen's κ on correct/incorrect,
/// κ = (c_obs − c_exp) / (1 − c_exp) with c_exp = p₁p₂ + (1 − p₁)(1 − p₂) from the two accuracies. As in the
/// benchmark, κ = 1 when c_obs = 1 (which also covers c_exp = 1).
/// </summary>
public sealed class ErrorConsistency : IPairwiseMetric
{
    public string Name => "error consistency";
    public bool HigherIsCloser => true;

    public double Compute(IReadOnlyList<Decision> observer, IReadOnlyList<Decision> reference) =>
        Analyse(observer, reference).Kappa;

    public static ErrorConsistencyResult Analyse(IReadOnlyList<Decision> observer, IReadOnlyList<Decision> reference)
    {
        var observed = new ObservedConsistency().Compute(observer, reference);
        double p1 = Top1Accuracy.Of(observer), p2 = Top1Accuracy.Of(reference);
        var expected = p1 * p2 + (1 - p1) * (1 - p2);
        var kappa = observed == 1.0 ? 1.0 : (observed - expected) / (1.0 - expected);
        return new ErrorConsistencyResult(expected, observed, kappa);
    }
}
