namespace Repro.Results;

/// <summary>Holm's step-down correction: family-wise error control at any dependence between the tests.</summary>
public static class Holm
{
    /// <summary>Adjusted p-values in the original order: monotone in the sorted p-values and capped at 1.</summary>
    public static double[] Adjust(IReadOnlyList<double> p)
    {
        ArgumentNullException.ThrowIfNull(p);
        for (var i = 0; i < p.Count; i++)
            if (!(p[i] >= 0 && p[i] <= 1))
                throw new ArgumentException(FormattableString.Invariant($"p[{i}] is {p[i]}: p-values must lie in [0, 1]"), nameof(p));
        var m = p.Count;
        // A stable sort, so that tied p-values keep their order and the adjustment is reproducible.
        var order = Enumerable.Range(0, m).OrderBy(i => p[i]).ToArray();
        var adjusted = new double[m];
        double running = 0;
        for (var rank = 0; rank < m; rank++)
        {
            running = Math.Max(running, Math.Min(1, (m - rank) * p[order[rank]]));
            adjusted[order[rank]] = running;
        }
        return adjusted;
    }
}
