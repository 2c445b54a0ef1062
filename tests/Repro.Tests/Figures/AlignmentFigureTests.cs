using Repro.Config;
using Repro.Figures;
using Repro.Results;

namespace Repro.Tests.Figures;

/// <summary>The alignment figures on the ci profile, against expected-results/ci/&lt;figure&gt;.yaml.</summary>
[Trait("Category", TestCategories.Figures)]
public class AlignmentFigureTests
{
    static FigureRunOutcome RunOnCi(IFigure figure, out Profile profile)
    {
        profile = ProfileLoader.Load(TestSupport.RepoRoot, "ci");
        var context = TestSupport.Context(profile, TestSupport.CacheRoot);
        var outcome = FigureRunner.Run(figure, context);
        Assert.False(outcome.Check.ExpectedMissing, $"no {outcome.Check.ExpectedFile}");
        Assert.True(outcome.Check.Violations.Count == 0, string.Join("\n", outcome.Check.Violations));
        return outcome;
    }

    [Fact]
    public void Human_alignment_figure_on_the_ci_profile_is_inside_its_bands_and_never_claims_human_alignment()
    {
        var outcome = RunOnCi(new HumanAlignmentFigure(), out var profile);
        var iterations = profile.Pruning.Iterations + 1;
        var datasets = profile.Alignment!.Datasets.Count;
        // per iteration: top-1 per dataset, OOD accuracy, three consistency metrics, shape bias
        var arms = profile.Pruning.Control ? 2 : 1;   // the pruned trajectory and the no-pruning control
        Assert.Equal(arms * iterations * (datasets + 5), outcome.Check.Checked);

        var metrics = outcome.Results.Values.Select(v => v.Metric).Distinct().ToList();
        Assert.Equal(datasets, metrics.Count(m => m.StartsWith("top1_")));
        Assert.Contains("error_consistency_vs_dense", metrics);
        Assert.DoesNotContain(metrics, m => m.Contains("human"));
        const string model = "resnet18-w0.25";
        var dense = outcome.Results.Values.Single(v => v.Series == model && v.Metric == "error_consistency_vs_dense" && v.Iteration == 0);
        Assert.Equal(1.0, dense.Value);
        Assert.All(outcome.Results.Values.Where(v => v.Metric.StartsWith("top1_") || v.Metric == "shape_bias"), v => Assert.InRange(v.Value, 0, 1));

        var claim = Assert.Single(outcome.Results.Claims);
        Assert.Contains("shape bias", claim.Claim);
        Assert.Contains("not a human-alignment result", claim.Claim);
        // judged per image over the pruned iterations, gated by the cue-conflict anchor
        Assert.Equal(profile.Pruning.Iterations, claim.Comparisons);
        Assert.Equal(1, claim.Seeds);
        Assert.NotNull(claim.AnchorPassed);
        Assert.Contains("chance", claim.Anchor);
        Assert.Contains("per-image evidence only", claim.Evidence);
        var observed = outcome.Results.Observations.Single(o => o.Series == model && o.Metric == "shape_decision" && o.Iteration == 0);
        var decided = observed.Values.Where(double.IsFinite).ToList();
        Assert.Equal(outcome.Results.Values.Single(v => v.Series == model && v.Metric == "shape_bias" && v.Iteration == 0).Value, decided.Count == 0 ? double.NaN : decided.Average(), 6);
        Assert.Contains(outcome.Results.Deviations, d => d.Contains("not human observers"));
        Assert.Contains(outcome.Results.Deviations, d => d.Contains("false colour") && d.Contains("approximation"));
        // one pair of plots per model; the control is drawn inside them, not on plots of its own
        foreach (var series in outcome.Results.Values.Select(v => v.Series).Distinct().Where(s => !s.EndsWith(Repro.Training.Trajectory.ControlSuffix)))
        {
            Assert.Contains($"top1-per-dataset-{series}.png", outcome.Plots.Plots.Select(p => p.Png));
            Assert.Contains($"alignment-summary-{series}.png", outcome.Plots.Plots.Select(p => p.Png));
        }
        Assert.Equal(2, outcome.Plots.Plots.Count);
        Assert.Contains(outcome.Results.Values, v => v.Series.EndsWith(Repro.Training.Trajectory.ControlSuffix));
        // the embedded data's goal: the dense model's cue-conflict decisions name a cue at least twice as often as chance
        var anchor = Assert.Single(outcome.Results.Anchors);
        Assert.True(anchor.Met, $"{anchor.Measure}: {anchor.Value:0.###} vs {anchor.Reference} {anchor.ReferenceValue:0.###}");
    }

    [Fact]
    public void Rotation_figure_on_the_ci_profile_is_inside_its_bands_and_says_resnet50_is_absent()
    {
        var outcome = RunOnCi(new RotationFigure(), out var profile);
        // per iteration: rotation top-1 over the benchmark's 90/180/270 conditions, and each of the four conditions
        Assert.Equal((profile.Pruning.Control ? 2 : 1) * (profile.Pruning.Iterations + 1) * 5, outcome.Check.Checked);
        Assert.Equal(["0", "180", "270", "90"],
            outcome.Results.Values.Where(v => v.Metric.StartsWith("top1_rotation_")).Select(v => v.Metric["top1_rotation_".Length..]).Distinct().Order());
        var claim = Assert.Single(outcome.Results.Claims);
        Assert.Equal(Verdict.NoClaim, claim.Verdict);
        Assert.Contains("ResNet-50 absent from profile 'ci'", claim.Evidence);
        Assert.Equal(["rotation.png"], outcome.Plots.Plots.Select(p => p.Png));
    }

    [Fact]
    public void ResNet18_tasks_figure_on_the_ci_profile_is_inside_its_bands()
    {
        var outcome = RunOnCi(new ResNet18TasksFigure(), out var profile);
        Assert.Equal((profile.Pruning.Control ? 2 : 1) * (profile.Pruning.Iterations + 1) * 3, outcome.Check.Checked);
        Assert.Equal(["top1_colour", "top1_false-colour", "top1_silhouette"], outcome.Results.Values.Select(v => v.Metric).Distinct().Order());
        Assert.Equal(["tasks-resnet18-w0.25.png"], outcome.Plots.Plots.Select(p => p.Png));
    }
}
