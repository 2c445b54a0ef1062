namespace Repro.Results;

/// <param name="Band">The tolerance the value was compared with; null where none applies (not comparable, unexpected).</param>
/// <param name="Detail">The whole message of a violation that concerns the file rather than one value (another seed).</param>
public sealed record BandViolation(string Key, double Sparsity, double? Expected, double? Band, double? Got, string Problem, string? Detail = null)
{
    public override string ToString() => Problem switch
    {
        "out of band" => FormattableString.Invariant($"{Key} (sparsity {Sparsity:F1}%): expected {Expected:G6} ± {Band:G4}, got {Got:G6} (off by {Math.Abs(Got!.Value - Expected!.Value):G4})"),
        "missing" => FormattableString.Invariant($"{Key} (sparsity {Sparsity:F1}%): expected {Expected:G6}, but this run did not produce it"),
        "unexpected" => FormattableString.Invariant($"{Key} (sparsity {Sparsity:F1}%): got {Got:G6}, but the expected-results file has no entry for it (accept the run to add it)"),
        _ => Detail ?? $"{Key}: {Problem}",
    };
}

/// <summary>
/// What a comparison found. <paramref name="MachineMatches"/> false: the expected values come from another machine (or
/// other convolution kernels), so each value was compared with its cross-machine tolerance and the
/// <paramref name="NotComparable"/> values without one were not compared.
/// </summary>
public sealed record BandComparison(List<BandViolation> Violations, bool MachineMatches, int NotComparable);

/// <summary>Compares a run's numbers with the expected values of the same seed, within their tolerances.</summary>
public static class BandCheck
{
    public static BandComparison Compare(ExpectedResults expected, IReadOnlyList<MeasuredValue> got, Provenance run)
    {
        var sameMachine = SameMachine(expected, run);
        // Only a seed compared with itself separates a code change from seed-to-seed variation.
        if (expected.Seed != run.Seed)
            return new([new BandViolation("seed", 0, expected.Seed, null, run.Seed, "seed",
                $"the expected values are for training seed {expected.Seed}, but this run trained seed {run.Seed}; run seed {expected.Seed} " +
                $"(the profile's 'seed'), or derive expected values for seed {run.Seed} with 'repro derive-bands' " +
                $"(dotnet build -t:DeriveBands -p:Profile={expected.Profile}) on a profile whose seed is {run.Seed}")], sameMachine, 0);
        var byKey = got.ToDictionary(v => v.Key);
        var violations = new List<BandViolation>();
        var notComparable = 0;
        foreach (var e in expected.Values)
        {
            var tolerance = sameMachine ? e.AbsTol : e.CrossMachineAbsTol;
            if (!byKey.TryGetValue(e.Key, out var g))
                violations.Add(new(e.Key, e.Sparsity, e.Expected, tolerance, null, "missing"));
            else if (tolerance is not { } band)
                notComparable++;
            else if (double.IsNaN(g.Value) || Math.Abs(g.Value - e.Expected) > band + 1e-12)
                violations.Add(new(e.Key, g.Sparsity, e.Expected, band, g.Value, "out of band"));
        }
        var known = expected.Values.Select(e => e.Key).ToHashSet();
        violations.AddRange(got.Where(g => !known.Contains(g.Key))
            .Select(g => new BandViolation(g.Key, g.Sparsity, null, null, g.Value, "unexpected")));
        return new(violations, sameMachine, notComparable);
    }

    /// <summary>Whether <paramref name="run"/> computed on the CPU, with the convolution kernels, the expected values were measured with.</summary>
    public static bool SameMachine(ExpectedResults expected, Provenance run) =>
        expected.Machine == run.Machine && Kernels(expected.Convolutions) == Kernels(run.Convolutions);

    /// <summary>Whether two expected-results files were derived on one machine with the same convolution kernels.</summary>
    public static bool SameMachine(ExpectedResults a, ExpectedResults b) =>
        a.Machine == b.Machine && Kernels(a.Convolutions) == Kernels(b.Convolutions);

    /// <summary>The machine and its convolution kernels in words, e.g. "GenuineIntel family 6 model 85 avx2, native convolutions".</summary>
    public static string DescribeMachine(string machine, string convolutions) =>
        Kernels(convolutions) is { Length: > 0 } kernels ? $"{machine}, {kernels} convolutions" : machine;

    /// <summary>"onednn" of a provenance's "onednn: &lt;why&gt;" (the reason may change without the numbers changing).</summary>
    public static string Kernels(string convolutions) => convolutions.Split(':')[0].Trim();

    /// <summary>
    /// The received file: this run's values as expected values of its seed and machine, carrying over the tolerances of
    /// the current expected file; a value it does not list gets the figure's default tolerance (its band spanning at most
    /// half the metric's range) and no cross-machine one.
    /// </summary>
    public static ExpectedResults Received(string figure, string profile, IReadOnlyList<MeasuredValue> got,
        ExpectedResults? current, Func<string, double> defaultAbsTol, Provenance run, string runDescription)
    {
        var known = current?.Values.ToDictionary(v => v.Key) ?? [];
        return new ExpectedResults
        {
            Figure = figure,
            Profile = profile,
            Seed = run.Seed,
            ReferenceSeeds = current?.ReferenceSeeds ?? [],
            Threads = run.Threads,
            Machine = run.Machine,
            Convolutions = Kernels(run.Convolutions),
            Derivation = current == null
                ? $"Values from {runDescription}. abs_tol is the figure's default per-metric tolerance (at most half the metric's range), not measured; " +
                  "no cross-machine tolerances: derive them with 'repro derive-bands'."
                : $"Values from {runDescription}. Tolerances carried over from the previous expected file, which said: {current.Derivation}",
            Values = got.Select(g => known.TryGetValue(g.Key, out var k)
                ? Value(g, k.AbsTol, k.CrossMachineAbsTol)
                : Value(g, Math.Min(defaultAbsTol(g.Metric), MetricRanges.MaxTolerance(g.Metric)), null)).ToList(),
        };
    }

    static ExpectedValue Value(MeasuredValue g, double absTol, double? crossMachineAbsTol) => new()
    {
        Series = g.Series, Metric = g.Metric, Iteration = g.Iteration, Sparsity = g.Sparsity, Expected = g.Value,
        AbsTol = absTol, CrossMachineAbsTol = crossMachineAbsTol,
    };
}
