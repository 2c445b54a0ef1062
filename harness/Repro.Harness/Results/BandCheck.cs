using System.Globalization;

namespace Repro.Results;

public sealed record BandViolation(string Key, double Sparsity, double? Expected, double? Band, double? Got, string Problem)
{
    public override string ToString() => Problem switch
    {
        "out of band" => FormattableString.Invariant($"{Key} (sparsity {Sparsity:F1}%): expected {Expected:G6} ± {Band:G4}, got {Got:G6} (off by {Math.Abs(Got!.Value - Expected!.Value):G4})"),
        "missing" => FormattableString.Invariant($"{Key} (sparsity {Sparsity:F1}%): expected {Expected:G6} ± {Band:G4}, but this run did not produce it"),
        _ => FormattableString.Invariant($"{Key} (sparsity {Sparsity:F1}%): got {Got:G6}, but the expected-results file has no entry for it (accept the run to add it)"),
    };
}

/// <summary>Compares a run's numbers with their expected values and bands.</summary>
public static class BandCheck
{
    public static List<BandViolation> Compare(ExpectedResults expected, IReadOnlyList<MeasuredValue> got)
    {
        var byKey = got.ToDictionary(v => v.Key);
        var violations = new List<BandViolation>();
        foreach (var e in expected.Values)
        {
            if (!byKey.TryGetValue(e.Key, out var g))
                violations.Add(new(e.Key, e.Sparsity, e.Expected, e.Band, null, "missing"));
            else if (double.IsNaN(g.Value) || Math.Abs(g.Value - e.Expected) > e.Band + 1e-12)
                violations.Add(new(e.Key, g.Sparsity, e.Expected, e.Band, g.Value, "out of band"));
        }
        var known = expected.Values.Select(e => e.Key).ToHashSet();
        violations.AddRange(got.Where(g => !known.Contains(g.Key))
            .Select(g => new BandViolation(g.Key, g.Sparsity, null, null, g.Value, "unexpected")));
        return violations;
    }

    /// <summary>
    /// The received file: this run's values in the expected-results format, carrying over the bands of
    /// the current expected file, or the figure's default band for values it does not list.
    /// </summary>
    public static ExpectedResults Received(string figure, string profile, IReadOnlyList<MeasuredValue> got,
        ExpectedResults? current, Func<string, double> defaultAbsTol, string runDescription)
    {
        var bands = current?.Values.ToDictionary(v => v.Key) ?? [];
        return new ExpectedResults
        {
            Figure = figure,
            Profile = profile,
            ReferenceSeeds = current?.ReferenceSeeds ?? [],
            Derivation = current == null
                ? $"Values from {runDescription}. Bands are the figure's default per-metric tolerances, not yet derived from a multi-seed run: run 'repro derive-bands'."
                : $"Values from {runDescription}. Bands carried over from the previous expected file, which said: {current.Derivation}",
            Values = got.Select(g => new ExpectedValue
            {
                Series = g.Series, Metric = g.Metric, Iteration = g.Iteration, Sparsity = g.Sparsity, Expected = g.Value,
                AbsTol = bands.TryGetValue(g.Key, out var b) ? b.AbsTol : defaultAbsTol(g.Metric),
                RelTol = bands.TryGetValue(g.Key, out b) ? b.RelTol : 0,
            }).ToList(),
        };
    }
}
