using Repro.Config;
using Repro.Figures;

namespace Repro.Tests.Figures;

/// <summary>The regression check: the accuracy figure on the ci profile, against expected-results/ci/accuracy.yaml.</summary>
[Trait("Category", TestCategories.Figures)]
public class AccuracyFigureTests
{
    [Fact]
    public void Accuracy_figure_on_the_ci_profile_is_inside_its_bands()
    {
        var profile = ProfileLoader.Load(TestSupport.RepoRoot, "ci");
        var log = new List<string>();
        var context = TestSupport.Context(profile, TestSupport.CacheRoot, log);
        var outcome = FigureRunner.Run(new AccuracyFigure(), context);

        Assert.False(outcome.Check.ExpectedMissing, $"no {outcome.Check.ExpectedFile}");
        Assert.True(outcome.Check.Violations.Count == 0, string.Join("\n", outcome.Check.Violations));
        var arms = profile.Pruning.Control ? 2 : 1;   // the pruned trajectory and the no-pruning control
        Assert.Equal(arms * 3 * (profile.Pruning.Iterations + 1), outcome.Check.Checked);
        var dir = Path.Combine(TestSupport.ReportsRoot, "ci", "accuracy");
        // the plot stage lists what it drew: the accuracy plot with its SVG, and the weights plot (dashed-free too)
        Assert.Equal(["accuracy.png", "nonzero-weights.png"], outcome.Plots.Plots.Select(p => p.Png));
        Assert.Equal("accuracy.svg", outcome.Plots.Plots[0].Svg);
        Assert.All(outcome.Plots.Plots, p => Assert.True(new FileInfo(Path.Combine(dir, p.Png)).Length > 1000, p.Png));
        var results = StrictYaml.LoadFile<Repro.Results.FigureResults>(Path.Combine(dir, "results.yaml"), "");
        Assert.Equal(profile.Seed, results.Provenance.Seed);
        Assert.NotEmpty(results.Provenance.GitCommit);
        Assert.NotEmpty(results.Provenance.TorchSharpVersion);
        Assert.Contains("cpu", results.Provenance.Device);
        // the embedded data's goal: the dense model between chance and a ceiling (ci stops at 3 of smoke's 14 iterations)
        var dense = results.Anchors.Single(a => a.Measure.Contains("dense top-1"));
        Assert.True(dense.Met, $"{dense.Measure}: {dense.Value:P1}");
        Assert.False(results.Anchors.Single(a => a.Measure.Contains("sparsity reached")).Met);
    }
}
