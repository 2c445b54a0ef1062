using Repro.Config;
using Repro.Figures;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Tests.Figures;

/// <summary>
/// ci pins 2 threads (expected-results/ci/); a 1-thread run trains its own trajectory and passes its own checks
/// (expected-results/ci/threads-1/). The 2-thread side is the other ci figure tests.
/// </summary>
[Trait("Category", TestCategories.Figures)]
public class ThreadCountFigureTests
{
    [Theory]
    [InlineData("accuracy")]
    [InlineData("interpretability")]
    [InlineData("heatmaps")]
    [InlineData("object-discovery")]
    [InlineData("human-alignment")]
    [InlineData("rotation")]
    [InlineData("resnet18-tasks")]
    public void A_one_thread_ci_run_passes_its_own_expected_results(string figureName)
    {
        var profile = ProfileLoader.Load(TestSupport.RepoRoot, "ci");
        Assert.Equal(2, profile.Performance.Threads);
        try
        {
            var context = new RunContext(profile, TestSupport.RepoRoot, TestSupport.CacheRoot, null,
                DeviceChoice.Cpu, _ => { }, threads: 1)
            { ReportsRoot = Path.Combine(TestSupport.OutputRoot, "reports-threads-1") };
            var outcome = FigureRunner.Run(FigureCatalog.Get(figureName), context);

            // the machine's own folder below it where this machine has one (FigureRunner.MachineFolder)
            Assert.StartsWith(Path.Combine("expected-results", "ci", "threads-1") + Path.DirectorySeparatorChar, outcome.Check.ExpectedFile);
            Assert.EndsWith(Path.DirectorySeparatorChar + figureName + ".yaml", outcome.Check.ExpectedFile);
            Assert.False(outcome.Check.ExpectedMissing, $"no {outcome.Check.ExpectedFile}");
            Assert.True(outcome.Check.Violations.Count == 0, string.Join("\n", outcome.Check.Violations));
            Assert.True(outcome.Check.Checked > 0);
            Assert.Equal(1, outcome.Results.Provenance.Threads);
        }
        finally
        {
            set_num_threads(Environment.ProcessorCount);
        }
    }
}
