using System.Globalization;
using Repro.Config;
using Repro.Results;
using Repro.Training;

namespace Repro.Figures;

/// <summary>
/// Derives a figure's expected values for the profile's seed, with tolerances measured rather than assumed:
/// the profile's seed is measured twice from the same checkpoints, and abs_tol = max(2 × run-to-run |Δ|, the file's
/// resolution) is what the same machine must reproduce; every reference seed is measured once, and
/// cross_machine_abs_tol = max(3 × sample sd, max − min) over them, since another CPU gives seed-like differences,
/// or none where the band of that spread (expected ± spread) would span more than half the metric's range.
/// </summary>
public static class BandDerivation
{
    /// <summary>The YAML keeps 6 decimals: expected values are rounded there, so no tolerance is narrower than two steps of it.</summary>
    public const double Resolution = 2e-6;

    public static ExpectedResults Derive(IFigure figure, Profile profile, IReadOnlyList<int> seeds,
        Func<Profile, RunContext> contextFor)
    {
        var spreadSeeds = seeds.Prepend(profile.Seed).Distinct().ToList();
        if (spreadSeeds.Count < 2)
            throw new ConfigException($"profile '{profile.Name}': deriving expected values needs at least two seeds (the profile's seed and its " +
                                      $"reference_seeds, or --seeds), got {string.Join(", ", spreadSeeds)}; their spread gives the cross-machine tolerances");
        var total = spreadSeeds.Count + 1;
        string? repoRoot = null, folder = null;
        FigureResults MeasureSeed(int seed, string what)
        {
            var seeded = ProfileLoader.Read(ProfileLoader.Write(profile), $"profile '{profile.Name}'");
            seeded.Seed = seed;
            var context = contextFor(seeded);
            repoRoot ??= context.RepoRoot;
            folder ??= FigureRunner.ExpectedFolder(context);
            context.Log($"== {what} for '{figure.Name}', seed {seed}");
            return FigureRunner.Measure(figure, context);
        }
        var first = MeasureSeed(profile.Seed, $"run 1/{total} (the profile's seed)");
        var repeat = MeasureSeed(profile.Seed, $"run 2/{total} (the profile's seed again, from the same checkpoints)");
        var bySeed = new List<FigureResults> { first };
        foreach (var seed in spreadSeeds.Skip(1))
            bySeed.Add(MeasureSeed(seed, $"run {bySeed.Count + 2}/{total} (reference seed)"));

        var expected = FromRuns(figure.Name, profile, first, repeat, spreadSeeds, bySeed);
        expected.Derivation += ThreadCountEvidence(expected, repoRoot!, folder!);
        return expected;
    }

    /// <summary>The expected file from the two runs of the profile's seed and one run per seed (the first of them the profile's).</summary>
    static ExpectedResults FromRuns(string figure, Profile profile, FigureResults first, FigureResults repeat,
        IReadOnlyList<int> seeds, IReadOnlyList<FigureResults> bySeed)
    {
        var keys = first.Values.Select(v => v.Key).ToList();
        foreach (var run in bySeed.Prepend(repeat))
            if (!run.Values.Select(v => v.Key).Order().SequenceEqual(keys.Order()))
                throw new InvalidOperationException(
                    $"figure '{figure}': the run of seed {run.Provenance.Seed} measured other values than the first run of seed {profile.Seed} " +
                    $"({string.Join(", ", run.Values.Select(v => v.Key).Except(keys).Concat(keys.Except(run.Values.Select(v => v.Key))).Take(5))})");
        var again = repeat.Values.ToDictionary(v => v.Key);
        var perSeed = bySeed.Select(r => r.Values.ToDictionary(v => v.Key)).ToList();
        var values = new List<ExpectedValue>();
        var runToRun = new List<double>();
        var tooWide = new List<string>();
        var notComparable = 0;
        foreach (var v in first.Values)
        {
            var range = MetricRanges.Of(v.Metric);
            var delta = Math.Abs(v.Value - again[v.Key].Value);
            runToRun.Add(delta);
            // a count is exact: two runs that disagree on one are refused below, not given a band
            var absTol = RoundUp(range.Exact ? 2 * delta : Math.Max(2 * delta, Resolution));
            if (!(absTol <= range.MaxTolerance))
                tooWide.Add(FormattableString.Invariant(
                    $"{v.Key}: band ±{absTol:G4} spans {2 * absTol:G4} > half range {range.HalfRange:G4} of '{v.Metric}' (feasible [{range.Min:G4}, {range.Max:G4}]{(range.Exact ? ", a count, checked exactly" : "")})"));
            var xs = perSeed.Select(s => s[v.Key].Value).ToArray();
            var mean = xs.Average();
            var spread = Math.Max(3 * Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Length - 1)), xs.Max() - xs.Min());
            double? cross = spread <= range.MaxTolerance ? RoundUp(range.Exact ? spread : Math.Max(spread, Resolution)) : null;
            if (cross == null) notComparable++;
            values.Add(new ExpectedValue
            {
                Series = v.Series, Metric = v.Metric, Iteration = v.Iteration, Sparsity = v.Sparsity,
                Expected = Math.Round((v.Value + again[v.Key].Value) / 2, 6),
                AbsTol = absTol,
                CrossMachineAbsTol = cross,
            });
        }
        // Two runs of one seed on one machine agree to the bit unless something is not deterministic; a band that
        // absorbs the metric's range would hide any regression, so the derivation stops instead of writing it.
        if (tooWide.Count > 0)
            throw new ConfigException(
                $"figure '{figure}' on profile '{profile.Name}': {tooWide.Count} value(s) differ between two runs of seed {profile.Seed} from the " +
                $"same checkpoints by so much that their band would span more than half their metric's feasible range, so no regression check can hold them: " +
                string.Join("; ", tooWide.Take(10)) + (tooWide.Count > 10 ? $"; and {tooWide.Count - 10} more" : "") +
                ". Find what is not deterministic in the figure (unseeded noise, data order, thread-dependent reductions) before deriving again.");

        var p = first.Provenance;
        var sorted = runToRun.Order().ToList();
        var median = sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        var kernels = BandCheck.Kernels(p.Convolutions);
        var where = p.Threads is { } t ? $"{t} CPU thread(s), {(kernels.Length == 0 ? "default" : kernels)} convolutions" : $"device {p.Device}";
        return new ExpectedResults
        {
            Figure = figure,
            Profile = profile.Name,
            Seed = profile.Seed,
            ReferenceSeeds = seeds.ToList(),
            Threads = p.Threads,
            Machine = p.Machine,
            Convolutions = kernels,
            Derivation = string.Create(CultureInfo.InvariantCulture,
                $"{seeds.Count + 1} runs: seed {profile.Seed} twice from the same checkpoints, and seeds {string.Join(", ", seeds)} once each; " +
                $"on {p.Machine}, {where} (speed options: {profile.Performance.Describe()}); {DateTime.UtcNow:yyyy-MM-dd}. " +
                $"expected = seed {profile.Seed}, the mean of its two runs. abs_tol (same machine) = max(2 x run-to-run |delta|, {Resolution:0.######}), " +
                $"counts 2 x |delta| (so 0); run-to-run |delta| over {runToRun.Count} values: max {sorted.LastOrDefault():G4}, median {median:G4}. " +
                $"cross_machine_abs_tol = max(3 x sample sd, max - min) over seeds {string.Join(", ", seeds)}, at least {Resolution:0.######} (counts exact), " +
                $"none where its band (expected ± spread) would span more than half the metric's feasible range: {notComparable} of {values.Count} values are not comparable across machines."),
            Values = values,
        };
    }

    static double RoundUp(double tolerance) => Math.Ceiling(Math.Round(tolerance * 1e6, 3)) / 1e6;

    /// <summary>
    /// The same seed's expected values at the profile's other thread counts (expected-results/&lt;profile&gt;/ and its
    /// threads-&lt;n&gt;/ folders), as measured evidence that each count needs its own folder; empty when there are none.
    /// </summary>
    static string ThreadCountEvidence(ExpectedResults derived, string repoRoot, string ownFolder)
    {
        var profileRoot = Path.Combine(repoRoot, "expected-results", derived.Profile);
        var folders = Directory.Exists(profileRoot)
            ? Directory.GetDirectories(profileRoot, "threads-*").Select(d => Path.Combine(derived.Profile, Path.GetFileName(d))).Prepend(derived.Profile)
            : [];
        var mine = derived.Values.ToDictionary(v => v.Key, v => v.Expected);
        var lines = new List<string>();
        foreach (var folder in folders.Where(f => f != ownFolder).Order(StringComparer.Ordinal))
        {
            var path = ExpectedResults.PathFor(repoRoot, folder, derived.Figure);
            ExpectedResults sibling;
            try
            {
                if (!File.Exists(path)) continue;
                sibling = ExpectedResults.Load(path);
            }
            catch (ConfigException) { continue; } // an unreadable sibling is not this derivation's concern
            if (sibling.Seed != derived.Seed) continue;
            var deltas = sibling.Values.Where(v => mine.ContainsKey(v.Key)).Select(v => Math.Abs(v.Expected - mine[v.Key])).ToList();
            if (deltas.Count == 0) continue;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $" Against the expected values of seed {derived.Seed} at {(sibling.Threads is { } n ? $"{n} CPU thread(s)" : "no pinned thread count")} " +
                $"({Path.GetRelativePath(repoRoot, path).Replace('\\', '/')}): max |delta| {deltas.Max():G4} over {deltas.Count} values: another thread count trains other weights, so each count has its own folder."));
        }
        return string.Concat(lines);
    }
}
