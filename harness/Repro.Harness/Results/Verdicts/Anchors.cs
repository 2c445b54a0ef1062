namespace Repro.Results;

/// <summary>
/// Chance anchors on the dense model: whether the experiment can tell a working model from chance at all (and has
/// room to improve), without which a comparison of pruned and dense models says nothing about a claim.
/// </summary>
public static class Anchors
{
    /// <summary>
    /// The dense model scores above a chance score paired per unit (a uniform or random heatmap's RMA): one-sided paired
    /// test at <see cref="ClaimTest.Alpha"/>, with the matching two-sided 1 − 2α interval.
    /// </summary>
    public static AnchorResult Above(string what, double[][] dense, double[][] chance, string chanceName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(what);
        ArgumentException.ThrowIfNullOrWhiteSpace(chanceName);
        var effect = PairedEffect.Of(dense, chance);
        var denseMean = PairedEffect.OfDifferences(dense).Mean;
        return Judge(effect, $"dense {what} {VerdictText.Number(denseMean)} vs {chanceName} {VerdictText.Number(denseMean - effect.Mean)}");
    }

    /// <summary>The dense model scores above a constant chance level (1/classes): the same test on dense − level.</summary>
    public static AnchorResult AboveLevel(string what, double[][] dense, double level, string levelName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(what);
        ArgumentException.ThrowIfNullOrWhiteSpace(levelName);
        ArgumentNullException.ThrowIfNull(dense);
        if (!double.IsFinite(level)) throw new ArgumentException($"the chance level must be finite, got {level}", nameof(level));
        var effect = PairedEffect.OfDifferences(dense.Select(row => row?.Select(v => v - level).ToArray()!).ToArray());
        return Judge(effect, $"dense {what} {VerdictText.Number(effect.Mean + level)} vs {levelName} {VerdictText.Number(level)}");
    }

    /// <summary>Passes when the dense mean is at most <paramref name="ceiling"/>: a saturated score leaves no room to improve.</summary>
    public static AnchorResult BelowCeiling(string what, double[][] dense, double ceiling)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(what);
        if (!double.IsFinite(ceiling)) throw new ArgumentException($"the ceiling must be finite, got {ceiling}", nameof(ceiling));
        var mean = PairedEffect.OfDifferences(dense).Mean;
        return mean <= ceiling
            ? new(true, $"dense {what} {VerdictText.Number(mean)} is at most the ceiling {VerdictText.Number(ceiling)}, leaving room to improve: passed")
            : new(false, $"dense {what} {VerdictText.Number(mean)} is above the ceiling {VerdictText.Number(ceiling)}, saturated with no room to improve: failed");
    }

    /// <summary>Passes when every one of <paramref name="anchors"/> passes; their descriptions joined with "; ".</summary>
    public static AnchorResult All(params AnchorResult[] anchors)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        if (anchors.Length == 0) throw new ArgumentException("All needs at least one anchor", nameof(anchors));
        return new(anchors.All(a => a.Passed), string.Join("; ", anchors.Select(a => a.Description)));
    }

    static AnchorResult Judge(EffectEstimate effect, string compared)
    {
        var p = effect.PGreater();
        var (lower, upper) = effect.Interval(1 - 2 * ClaimTest.Alpha);
        var passed = p <= ClaimTest.Alpha;
        return new(passed, $"{compared}: {VerdictText.Signed(effect.Mean)} [{VerdictText.Signed(lower)}, {VerdictText.Signed(upper)}] " +
            $"({VerdictText.Percent(1 - 2 * ClaimTest.Alpha)} interval), p {VerdictText.P(p)}: {(passed ? "passed" : "failed")}");
    }
}
