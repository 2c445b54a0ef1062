using System.Text.RegularExpressions;
using Repro.Results;

namespace Repro.Tests.Results;

[Trait("Category", TestCategories.Unit)]
public partial class MetricRangesTests
{
    static IEnumerable<string> ExpectedFiles() =>
        Directory.EnumerateFiles(Path.Combine(TestSupport.RepoRoot, "expected-results"), "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    [GeneratedRegex(@"^\s*-?\s*metric:\s*(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex MetricLine();

    [Fact]
    public void Every_metric_of_the_committed_expected_results_has_a_range()
    {
        var metrics = ExpectedFiles().SelectMany(f => MetricLine().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value)).ToHashSet();
        Assert.True(metrics.Count >= 20, $"only {metrics.Count} metric names found under expected-results/");
        var unknown = metrics.Where(m => !MetricRanges.IsKnown(m)).Order(StringComparer.Ordinal).ToList();
        Assert.True(unknown.Count == 0, "no feasible range for: " + string.Join(", ", unknown));
    }

    [Theory]
    [InlineData("top1", 0, 1)]
    [InlineData("top1_cue-conflict", 0, 1)]
    [InlineData("top1_rotation_90", 0, 1)]
    [InlineData("rma", 0, 1)]
    [InlineData("energy_pointing_game", 0, 1)]
    [InlineData("corloc", 0, 1)]
    [InlineData("box_area", 0, 1)]
    [InlineData("observed_consistency_vs_human", 0, 1)]
    [InlineData("accuracy_difference_vs_dense", 0, 1)]
    [InlineData("shape_bias", 0, 1)]
    [InlineData("error_consistency_vs_dense", -1, 1)]
    [InlineData("sparsity_pct", 0, 100)]
    public void Shares_correlations_and_percentages_have_their_feasible_range(string metric, double min, double max)
    {
        var range = MetricRanges.Of(metric);
        Assert.Equal((min, max, false), (range.Min, range.Max, range.Exact));
        Assert.Equal((max - min) / 2, MetricRanges.HalfRange(metric));
    }

    [Theory]
    [InlineData("nonzero_weights")]
    [InlineData("images_scored")]
    public void Counts_are_exact_so_no_tolerance_but_zero_fits_in_half_their_range(string metric)
    {
        Assert.True(MetricRanges.Of(metric).Exact);
        Assert.Equal(0, MetricRanges.HalfRange(metric));
    }

    [Theory]
    [InlineData("top5")]
    [InlineData("top1_")]
    [InlineData("error_consistency")]
    public void An_unknown_metric_is_an_error_naming_it_and_the_file_to_edit(string metric)
    {
        Assert.False(MetricRanges.IsKnown(metric));
        var e = Assert.Throws<InvalidOperationException>(() => MetricRanges.HalfRange(metric));
        Assert.Contains($"metric '{metric}' has no feasible range", e.Message);
        Assert.Contains("harness/Repro.Harness/Results/MetricRanges.cs", e.Message);
        Assert.True(File.Exists(Path.Combine(TestSupport.RepoRoot, MetricRanges.SourceFile)));
    }

    /// <summary>
    /// A tolerance wider than half its metric's range passes nearly any value, so it checks nothing: every committed
    /// expected-results file keeps both of its tolerances within that (derive-bands refuses to write one that is not).
    /// </summary>
    [Fact]
    public void No_committed_band_spans_more_than_half_its_metric_range()
    {
        var problems = new List<string>();
        foreach (var path in ExpectedFiles())
        {
            var relative = Path.GetRelativePath(TestSupport.RepoRoot, path);
            ExpectedResults file;
            try { file = ExpectedResults.Load(path); }
            catch (Repro.Config.ConfigException e) { problems.Add(e.Message); continue; }
            foreach (var v in file.Values)
            {
                // a band expected ± tolerance spans twice the tolerance: at most half of the feasible range
                var most = MetricRanges.MaxTolerance(v.Metric);
                if (v.AbsTol > most) problems.Add($"{relative}: {v.Key} abs_tol {v.AbsTol} spans more than half the range (at most ±{most})");
                if (v.CrossMachineAbsTol > most) problems.Add($"{relative}: {v.Key} cross_machine_abs_tol {v.CrossMachineAbsTol} spans more than half the range (at most ±{most})");
            }
        }
        Assert.True(problems.Count == 0, $"{problems.Count} problem(s):\n" + string.Join("\n", problems.Take(40)));
    }
}
