using Repro.Config;
using Repro.Figures;
using Repro.Results;

namespace Repro.Tests.Figures;

/// <summary>The regression checks of experiment 1 on the ci profile, against expected-results/ci/.</summary>
[Trait("Category", TestCategories.Figures)]
public class InterpretabilityFigureTests
{
    static (Profile Profile, FigureRunOutcome Outcome, string Directory) Run(IFigure figure)
    {
        var profile = ProfileLoader.Load(TestSupport.RepoRoot, "ci");
        var context = TestSupport.Context(profile, TestSupport.CacheRoot);
        var outcome = FigureRunner.Run(figure, context);
        Assert.False(outcome.Check.ExpectedMissing, $"no {outcome.Check.ExpectedFile}");
        Assert.True(outcome.Check.Violations.Count == 0, string.Join("\n", outcome.Check.Violations));
        return (profile, outcome, Path.Combine(TestSupport.ReportsRoot, "ci", figure.Name));
    }

    [Fact]
    public void Interpretability_figure_on_the_ci_profile_is_inside_its_bands()
    {
        var (profile, outcome, dir) = Run(new InterpretabilityFigure());
        var iterations = profile.Pruning.Iterations + 1;
        var methods = new[] { "grad-cam", "guided-grad-cam", "ig-smoothgrad" };
        var fidelities = new[] { "paper", "corrected" };
        // Per method and fidelity: rma, rra, pointing game, energy pointing game, images scored; plus top-1.
        var arms = profile.Pruning.Control ? 2 : 1;   // the pruned trajectory and the no-pruning control
        Assert.Equal(arms * iterations * (methods.Length * fidelities.Length * 5 + 1), outcome.Check.Checked);
        foreach (var method in methods)
            foreach (var fidelity in fidelities)
            {
                var scored = outcome.Results.Values.Where(v => v.Series == $"resnet18-w0.25/{method}/{fidelity}" && v.Metric == "images_scored");
                Assert.All(scored, v => Assert.Equal(profile.Interpretability!.Images, v.Value));
            }
        Assert.All(outcome.Results.Values.Where(v => v.Metric is "rma" or "rra"), v => Assert.InRange(v.Value, 0, 1));
        foreach (var fidelity in fidelities)
            Assert.Contains($"interpretability-resnet18-w0.25-{fidelity}.png", outcome.Plots.Plots.Select(p => p.Png));
        // one claim per fidelity (Holm over methods, RMA/RRA and intermediate sparsities) and the architecture claim
        Assert.Equal(fidelities.Length + 1, outcome.Results.Claims.Count);
        Assert.Contains(outcome.Results.Claims, c => c.Verdict == Verdict.NoClaim && c.Evidence.Contains("not testable with one architecture"));
        foreach (var claim in outcome.Results.Claims.Where(c => c.Verdict != Verdict.NoClaim))
        {
            Assert.Equal(profile.Interpretability!.Images, claim.Images);
            Assert.NotNull(claim.AnchorPassed);
            Assert.Contains("heatmap", claim.Anchor);
        }
        // per-image scores average to the reported value (paper: images without object pixels count 0)
        foreach (var o in outcome.Results.Observations.Where(o => !o.Series.StartsWith("chance/")))
            Assert.InRange(Math.Abs(outcome.Results.Values.Single(v => v.Key == o.Key).Value - o.Values.Where(double.IsFinite).Average()), 0, 1e-5);
        Assert.Contains(outcome.Results.Deviations, d => d.StartsWith("interpretability images"));
        // the embedded data's goal: every method's dense heatmaps concentrate on objects, at least twice a uniform heatmap's RMA
        Assert.Equal(methods, outcome.Results.Anchors.Select(a => a.Measure.Split(' ')[2]));
        Assert.All(outcome.Results.Anchors, a => Assert.True(a.Met, $"{a.Measure}: {a.Value:0.###} vs {a.Reference} {a.ReferenceValue:0.###}"));
    }

    [Fact]
    public void Heatmaps_figure_on_the_ci_profile_is_inside_its_bands_and_draws_one_grid_per_method()
    {
        var (profile, outcome, dir) = Run(new HeatmapsFigure());
        var iterations = profile.Pruning.Iterations + 1;
        Assert.Equal(iterations * (3 * 2 * profile.Interpretability!.HeatmapImages + 1), outcome.Check.Checked);
        // ci runs fidelity both: Guided Grad-CAM has a variant, and so a grid, per mode
        foreach (var method in new[] { "grad-cam", "guided-grad-cam-paper", "guided-grad-cam-corrected", "ig-smoothgrad" })
        {
            Assert.Contains($"heatmaps-resnet18-w0.25-{method}.png", outcome.Plots.Plots.Select(p => p.Png));
            for (var k = 0; k < iterations; k++)
                Assert.True(File.Exists(Path.Combine(dir, "cells", "resnet18-w0.25", method, $"img1-iter{k:D2}.png")) && outcome.Results.Artefacts.Contains($"cells/resnet18-w0.25/{method}/img1-iter{k:D2}.png"));
        }
    }
}
