using Repro.Config;
using Repro.Figures;
using Repro.Results;
using Repro.Training;

namespace Repro.Tests.Results;

/// <summary>
/// Expected values and tolerances derived from a figure that returns preset values per seed and run, so that the
/// derivation's arithmetic, refusals and text are checked without training.
/// </summary>
[Trait("Category", TestCategories.Unit)]
public class BandDerivationTests
{
    /// <summary>A figure whose values are <paramref name="values"/>(seed, how many times that seed ran before).</summary>
    sealed class PresetFigure(Func<int, int, (double Top1, double Sparsity, double Weights)> values) : IFigure
    {
        readonly Dictionary<int, int> runs = [];
        public string Name => "preset";
        public string Title => "Preset values";
        public string Shows => "values fixed per seed and run";

        public FigureMeasurement Measure(RunContext context, FigureFolder folder)
        {
            var seed = context.Profile.Seed;
            var run = runs[seed] = runs.GetValueOrDefault(seed, -1) + 1;
            var (top1, sparsity, weights) = values(seed, run);
            return new(
            [
                new MeasuredValue { Series = "m", Metric = "top1", Iteration = 0, Sparsity = sparsity, Value = top1 },
                new MeasuredValue { Series = "m", Metric = "sparsity_pct", Iteration = 0, Sparsity = sparsity, Value = sparsity },
                new MeasuredValue { Series = "m", Metric = "nonzero_weights", Iteration = 0, Sparsity = sparsity, Value = weights },
            ], []);
        }

        public IReadOnlyList<string> Plot(FigureResults results, FigureFolder folder) => [];
        public double DefaultAbsTol(string metric) => 0.05;
    }

    static Profile Tiny(int? pinnedThreads = null)
    {
        var profile = TestSupport.TinyProfile(seed: 7);
        profile.ReferenceSeeds = [7, 8, 9];
        profile.Performance.Onednn = OneDnnMode.Off;
        profile.Performance.Threads = pinnedThreads;
        return profile;
    }

    static RunContext Context(TempDir repo, Profile profile, List<string>? log = null) =>
        new(profile, repo.Path, repo.Combine("cache"), null, DeviceChoice.Cpu, m => log?.Add(m), threads: Environment.ProcessorCount)
        { ReportsRoot = repo.Combine("reports") };

    static ExpectedResults Derive(TempDir repo, PresetFigure figure, Profile profile) =>
        BandDerivation.Derive(figure, profile, profile.ReferenceSeeds, p => Context(repo, p));

    static ExpectedValue Value(ExpectedResults e, string metric) => e.Values.Single(v => v.Metric == metric);

    static double Spread(params double[] xs)
    {
        var mean = xs.Average();
        return Math.Max(3 * Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Length - 1)), xs.Max() - xs.Min());
    }

    [Fact]
    public void Abs_tol_is_twice_the_run_to_run_difference_of_the_profiles_seed_at_least_the_resolution_and_counts_get_zero()
    {
        using var repo = new TempDir();
        var top1 = new Dictionary<int, double> { [7] = 0.5, [8] = 0.52, [9] = 0.49 };
        var figure = new PresetFigure((seed, run) => (top1[seed] + (seed == 7 && run == 1 ? 3e-4 : 0), 20, 1000));
        var e = Derive(repo, figure, Tiny());

        Assert.Equal(7, e.Seed);
        Assert.Equal([7, 8, 9], e.ReferenceSeeds);
        Assert.Equal((MachineFingerprint.Current(), Environment.ProcessorCount, "native"), (e.Machine, e.Threads, e.Convolutions));
        Assert.Equal(0.50015, Value(e, "top1").Expected, 9);
        Assert.Equal(6e-4, Value(e, "top1").AbsTol, 12);
        Assert.Equal(BandDerivation.Resolution, Value(e, "sparsity_pct").AbsTol);
        Assert.Equal(0, Value(e, "nonzero_weights").AbsTol);
        Assert.Equal(Spread(0.5, 0.52, 0.49), Value(e, "top1").CrossMachineAbsTol!.Value, 6);
        Assert.Equal(BandDerivation.Resolution, Value(e, "sparsity_pct").CrossMachineAbsTol);
        Assert.Equal(0, Value(e, "nonzero_weights").CrossMachineAbsTol);
        Assert.Contains("4 runs: seed 7 twice from the same checkpoints, and seeds 7, 8, 9 once each", e.Derivation);
        Assert.Contains($"on {MachineFingerprint.Current()}, {Environment.ProcessorCount} CPU thread(s), native convolutions", e.Derivation);
        Assert.Contains("run-to-run |delta| over 3 values: max 0.0003, median 0.", e.Derivation);
        Assert.Contains("0 of 3 values are not comparable across machines", e.Derivation);
        Assert.Contains($"{DateTime.UtcNow:yyyy-MM-dd}", e.Derivation);

        // what derive-bands writes loads back, and a rerun of seed 7 on this machine is within its bands
        var path = ExpectedResults.PathFor(repo.Path, "tiny", figure.Name);
        StrictYaml.SaveAtomically(path, e);
        MeasuredValue Got(string metric, double value) => new() { Series = "m", Metric = metric, Iteration = 0, Sparsity = 20, Value = value };
        var rerun = new Provenance { Seed = 7, Machine = e.Machine, Convolutions = "native: performance.onednn: off, not checked" };
        Assert.Empty(BandCheck.Compare(ExpectedResults.Load(path), [Got("top1", 0.5003), Got("sparsity_pct", 20), Got("nonzero_weights", 1000)], rerun).Violations);
    }

    [Fact]
    public void A_seed_spread_above_half_the_metrics_range_leaves_the_value_without_a_cross_machine_tolerance()
    {
        using var repo = new TempDir();
        var top1 = new Dictionary<int, double> { [7] = 0.1, [8] = 0.9, [9] = 0.5 };
        var e = Derive(repo, new PresetFigure((seed, _) => (top1[seed], 20, 1000 + (seed == 9 ? 1 : 0))), Tiny());

        Assert.Null(Value(e, "top1").CrossMachineAbsTol);
        Assert.Equal(BandDerivation.Resolution, Value(e, "top1").AbsTol);
        // a count that differs between seeds is not comparable across machines either
        Assert.Null(Value(e, "nonzero_weights").CrossMachineAbsTol);
        Assert.Contains("2 of 3 values are not comparable across machines", e.Derivation);
    }

    [Fact]
    public void A_run_to_run_band_wider_than_half_the_metrics_range_is_refused_naming_the_value_its_band_and_the_half_range()
    {
        using var repo = new TempDir();
        var figure = new PresetFigure((seed, run) => (run == 1 ? 0.9 : 0.6, 20, 1000 + run));
        var e = Assert.Throws<ConfigException>(() => Derive(repo, figure, Tiny()));
        Assert.Contains("2 value(s) differ between two runs of seed 7", e.Message);
        Assert.Contains("m/top1@0: band ±0.6 spans 1.2 > half range 0.5 of 'top1' (feasible [0, 1])", e.Message);
        Assert.Contains("m/nonzero_weights@0: band ±2 spans 4 > half range 0 of 'nonzero_weights'", e.Message);
        Assert.Contains("a count, checked exactly", e.Message);
    }

    [Fact]
    public void One_seed_alone_is_refused()
    {
        using var repo = new TempDir();
        var e = Assert.Throws<ConfigException>(() =>
            BandDerivation.Derive(new PresetFigure((_, _) => (0.5, 20, 1000)), Tiny(), [7], p => Context(repo, p)));
        Assert.Contains("needs at least two seeds", e.Message);
    }

    [Fact]
    public void The_text_states_the_difference_to_the_same_seeds_values_at_another_thread_count()
    {
        using var repo = new TempDir();
        // pinned at another count, so this derivation is for threads-<n>/ and the profile's own folder is the sibling
        var profile = Tiny(pinnedThreads: Environment.ProcessorCount + 1);
        var figure = new PresetFigure((seed, _) => (0.5 + seed / 100.0, 20, 1000));
        ExpectedResults Sibling(int seed, double top1) => new()
        {
            Figure = figure.Name, Profile = "tiny", Derivation = "test", Seed = seed, Threads = Environment.ProcessorCount + 1,
            Values = [new ExpectedValue { Series = "m", Metric = "top1", Iteration = 0, Expected = top1, AbsTol = 0.01 }],
        };
        StrictYaml.SaveAtomically(ExpectedResults.PathFor(repo.Path, "tiny", figure.Name), Sibling(7, 0.55));
        StrictYaml.SaveAtomically(ExpectedResults.PathFor(repo.Path, Path.Combine("tiny", "threads-99"), figure.Name), Sibling(8, 0.1));

        var e = Derive(repo, figure, profile);
        Assert.Contains($"Against the expected values of seed 7 at {Environment.ProcessorCount + 1} CPU thread(s) (expected-results/tiny/preset.yaml): " +
                        "max |delta| 0.02 over 1 values", e.Derivation);
        Assert.DoesNotContain("threads-99", e.Derivation);
    }

    [Fact]
    public void A_run_on_another_machine_uses_the_cross_machine_tolerance_says_so_and_records_the_values_not_compared()
    {
        using var repo = new TempDir();
        var figure = new PresetFigure((_, _) => (0.53, 20, 1000));
        StrictYaml.SaveAtomically(ExpectedResults.PathFor(repo.Path, "tiny", figure.Name), new ExpectedResults
        {
            Figure = figure.Name, Profile = "tiny", Derivation = "test", Seed = 7, Threads = Environment.ProcessorCount,
            Machine = "another cpu", Convolutions = "native",
            Values =
            [
                new ExpectedValue { Series = "m", Metric = "top1", Iteration = 0, Expected = 0.5, AbsTol = 1e-5, CrossMachineAbsTol = 0.05 },
                new ExpectedValue { Series = "m", Metric = "sparsity_pct", Iteration = 0, Expected = 20, AbsTol = 2e-6, CrossMachineAbsTol = 2e-6 },
                new ExpectedValue { Series = "m", Metric = "nonzero_weights", Iteration = 0, Expected = 900, AbsTol = 0 },
            ],
        });
        var log = new List<string>();
        var outcome = FigureRunner.Run(figure, Context(repo, Tiny(), log));

        Assert.True(outcome.Check.Passed, string.Join("\n", outcome.Check.Violations));
        Assert.Equal((false, 1, 3), (outcome.Check.MachineMatches, outcome.Check.NotComparable, outcome.Check.Checked));
        Assert.Contains(log, l => l.Contains($"the expected values come from another machine (another cpu, native convolutions; this run: {MachineFingerprint.Current()}, native convolutions), " +
                                             "so the check uses the cross-machine tolerance and 1 values are not compared"));
        var checkYaml = File.ReadAllText(Path.Combine(FigureRunner.FigureDirectory(repo.Combine("reports"), "tiny", figure.Name), FigureRunner.CheckFile));
        Assert.Contains("machine_matches: false", checkYaml);
        Assert.Contains("not_comparable: 1", checkYaml);
    }
}
