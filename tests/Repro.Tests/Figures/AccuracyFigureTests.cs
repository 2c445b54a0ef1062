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
        var context = TestSupport.Context(profile, Path.Combine(TestSupport.RepoRoot, ".cache"), log);
        var outcome = FigureRunner.Run(new AccuracyFigure(), context);

        Assert.False(outcome.Check.ExpectedMissing, $"no {outcome.Check.ExpectedFile}");
        Assert.True(outcome.Check.Violations.Count == 0, string.Join("\n", outcome.Check.Violations));
        Assert.Equal(3 * (profile.Pruning.Iterations + 1), outcome.Check.Checked);
        var dir = Path.Combine(TestSupport.RepoRoot, "reports", "ci", "accuracy");
        Assert.True(File.Exists(Path.Combine(dir, "accuracy.png")));
        Assert.True(File.Exists(Path.Combine(dir, "accuracy.svg")));
        Assert.True(File.Exists(Path.Combine(TestSupport.RepoRoot, "reports", "ci", "index.html")));
        var results = StrictYaml.LoadFile<Repro.Results.FigureResults>(Path.Combine(dir, "results.yaml"), "");
        Assert.Equal(profile.Seed, results.Provenance.Seed);
        Assert.NotEmpty(results.Provenance.GitCommit);
        Assert.NotEmpty(results.Provenance.TorchSharpVersion);
        Assert.Contains("cpu", results.Provenance.Device);
    }
}
