using Repro.Config;
using Repro.Figures;
using Repro.Interop;
using Repro.Report;
using Repro.Tests.Training;
using Repro.Training;

namespace Repro.Tests.Figures;

/// <summary>
/// Every figure from the checked-in PyTorch trajectory (Fixtures/trajectory/) through the stages reproduce runs
/// (preflight, then measure, check and plot per figure, then the report), on Fixtures/trajectory-fixture.yaml: no training.
/// </summary>
[Trait("Category", TestCategories.Figures)]
public class ImportedTrajectoryFigureTests
{
    [Fact]
    public void Every_figure_comes_from_the_imported_checkpoints_without_training()
    {
        var profile = ProfileLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "Fixtures", "trajectory-fixture.yaml"));
        using var reports = new TempDir();
        var log = new List<string>();
        var context = new RunContext(profile, TestSupport.RepoRoot, TestSupport.CacheRoot, null, DeviceChoice.Cpu, log.Add) { ReportsRoot = reports.Path };
        Assert.Equal(Path.Combine(TestSupport.RepoRoot, "tests", "Repro.Tests", "Fixtures", "trajectory"), context.TrajectoryDir);
        var figures = profile.Figures.Select(FigureCatalog.Get).ToList();
        Assert.Equal(FigureCatalog.Names.Order(), profile.Figures.Order());

        FigureRunner.Preflight(figures, context);
        var outcomes = figures.Select(f => FigureRunner.Run(f, context)).ToList();
        var index = HtmlReport.Write(context.ReportsRoot, profile.Name, FigureCatalog.Of(profile));

        // no training, no trained store: every checkpoint came from the folder
        Assert.DoesNotContain(log, l => l.Contains(": training ") || l.Contains("resuming after"));
        Assert.Equal(["imported"], Directory.GetDirectories(Path.Combine(TestSupport.CacheRoot, "checkpoints", profile.Name)).Select(Path.GetFileName));
        Assert.Contains(log, l => l.Contains(Trajectory.NoControlFromImport));
        Assert.True(File.Exists(index));

        var files = Directory.GetFiles(TrajectoryImportTests.Fixture, "*.pth", SearchOption.AllDirectories);
        foreach (var outcome in outcomes)
        {
            var r = outcome.Results;
            Assert.True(r.Values.Count > 0, $"{r.Figure}: no values");
            Assert.True(outcome.Plots.Plots.Count > 0, $"{r.Figure}: no plots");
            Assert.DoesNotContain(r.Values, v => v.Series.Contains(Trajectory.ControlSuffix));
            // checked against the imported files' own expected values, never the trained profile's
            Assert.StartsWith(Path.Combine("expected-results", profile.Name, "imported-"), outcome.Check.ExpectedFile);
            Assert.True(outcome.Check.ExpectedMissing);
            Assert.Equal(context.TrajectoryDir, r.Provenance.ImportedTrajectory!.Dir);
            Assert.Equal(files.Order().Select(PyTorchTrajectory.Sha256), r.Provenance.ImportedTrajectory.Files.OrderBy(f => f.File).Select(f => f.Sha256));
            Assert.Contains(r.ProfileDeviations, d => d.StartsWith($"checkpoints imported from {context.TrajectoryDir}"));
            Assert.Contains(r.ProfileDeviations, d => d.StartsWith(Trajectory.NoControlFromImport));
        }

        // the accuracy figure states each iteration's sparsity as measured from the files' masks
        var accuracy = outcomes.Single(o => o.Results.Figure == "accuracy").Results;
        foreach (var (model, folder) in new[] { (TrajectoryImportTests.FixtureResNet, "resnet18"), (TrajectoryImportTests.FixtureViT, "vit_b_32") })
        {
            var stated = accuracy.Values.Where(v => v.Series == model.Key && v.Metric == "sparsity_pct").OrderBy(v => v.Iteration).ToList();
            Assert.Equal([0, 1, 2], stated.Select(v => v.Iteration));
            for (var k = 0; k <= 2; k++)
            {
                var raw = TorchSaveFile.ReadStateDict(Path.Combine(TrajectoryImportTests.Fixture, folder, TrajectoryImportTests.FixtureFile(k)));
                var fileMasks = raw.Where(kv => kv.Key.EndsWith(".weight_mask")).Select(kv => kv.Value).ToList();
                var measured = k == 0 ? 0 : 100 * (1 - fileMasks.Sum(m => m.count_nonzero().item<long>()) / (double)fileMasks.Sum(m => m.numel()));
                Assert.Equal(Math.Round(measured, 2), stated[k].Value);
                Assert.Equal(stated[k].Value, stated[k].Sparsity);
            }
            Assert.InRange(stated[2].Value, 35.9, 36.1);
            Assert.Contains(log, l => l.StartsWith(model.Key + ": iterations 0..2 imported from") || l.Contains($"] {model.Key}: iterations 0..2 imported from"));
        }
    }
}
