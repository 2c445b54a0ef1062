namespace Repro.Measurement.Alignment.Metrics;

/// <summary>Top-1 accuracy of decisions: share whose response is the true category (SixteenClassAccuracy).</summary>
public static class Top1Accuracy
{
    public static double Of(IReadOnlyCollection<Decision> decisions)
    {
        if (decisions.Count == 0) throw new ArgumentException("accuracy of an empty set of decisions is undefined");
        return decisions.Count(d => d.IsCorrect) / (double)decisions.Count;
    }

    /// <summary>Accuracy per condition, conditions in first-seen order.</summary>
    public static IReadOnlyList<(string Condition, double Accuracy)> PerCondition(IReadOnlyCollection<Decision> decisions) =>
        decisions.GroupBy(d => d.Condition).Select(g => (g.Key, Of(g.ToList()))).ToList();
}
