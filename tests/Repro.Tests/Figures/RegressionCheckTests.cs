using Repro.Config;
using Repro.Figures;
using Repro.Measurement.Localization;
using Repro.Results;

namespace Repro.Tests.Figures;

/// <summary>The regression check bites: a small change to one metric's implementation takes its values out of their band.</summary>
[Trait("Category", TestCategories.Figures)]
public class RegressionCheckTests
{
    /// <summary>A metric's implementation with its score scaled, standing in for a subtle bug.</summary>
    sealed class Scaled(ILocalizationMetric inner, double factor) : ILocalizationMetric
    {
        public string Name => inner.Name;
        public double? Score(Heatmap heatmap, ObjectMask mask) => inner.Score(heatmap, mask) * factor;
    }

    [Fact]
    public void A_five_percent_change_in_rma_fails_the_ci_regression_check_and_nothing_else_moves()
    {
        var profile = Repro.Figures.ProfileLoader.Load(TestSupport.RepoRoot, "ci");
        using var tmp = new TempDir();
        var context = TestSupport.Context(profile, TestSupport.CacheRoot, reportsRoot: tmp.Path);
        var expectedPath = ExpectedResults.PathFor(TestSupport.RepoRoot, FigureRunner.ExpectedFolder(context), "interpretability");
        var committed = ExpectedResults.Load(expectedPath);

        var unperturbed = FigureRunner.Measure(new InterpretabilityFigure(), context).Values;
        IReadOnlyList<(string Name, ILocalizationMetric Metric)> metrics(Fidelity f) =>
            InterpretabilityFigure.DefaultMetrics(f).Select(m => m.Name == "rma" ? (m.Name, (ILocalizationMetric)new Scaled(m.Metric, 1.05)) : m).ToList();
        var run = FigureRunner.Measure(new InterpretabilityFigure(metrics), context);
        var perturbed = run.Values;

        // The committed same-machine tolerances, centred on this machine's unperturbed values, so the test holds on any machine.
        var byKey = unperturbed.ToDictionary(v => v.Key);
        foreach (var e in committed.Values) e.Expected = byKey[e.Key].Value;
        (committed.Machine, committed.Convolutions) = (run.Provenance.Machine, BandCheck.Kernels(run.Provenance.Convolutions));
        var comparison = BandCheck.Compare(committed, perturbed, run.Provenance);
        Assert.True(comparison.MachineMatches);
        var violations = comparison.Violations;

        var moved = perturbed.Where(v => v.Metric == "rma" && Math.Abs(byKey[v.Key].Value) > 1e-4).Select(v => v.Key).ToHashSet();
        Assert.NotEmpty(moved);
        Assert.Equal(moved.Order(), violations.Select(v => v.Key).Order());
    }
}
