using Repro.Config;
using Repro.Figures;
using Repro.Report;
using Repro.Results;

namespace Repro.Tests.Report;

/// <summary>The stages after measurement work from files alone: plots and report are rebuilt from results.yaml.</summary>
[Trait("Category", TestCategories.Unit)]
public class StageTests
{
    /// <summary>An accuracy figure's results as the measure stage would write them, three iterations of one model.</summary>
    internal static string WriteAccuracyResults(string reportsRoot, string profile = "ci", double shift = 0)
    {
        var dir = FigureRunner.FigureDirectory(reportsRoot, profile, "accuracy");
        var values = new List<MeasuredValue>();
        foreach (var (iteration, sparsity, top1) in new[] { (0, 0.0, shift + 0.61), (1, 20.0, shift + 0.64), (2, 36.0, shift + 0.58) })
        {
            values.Add(new MeasuredValue { Series = "resnet18-w0.25", Metric = "top1", Iteration = iteration, Sparsity = sparsity, Value = top1 });
            values.Add(new MeasuredValue { Series = "resnet18-w0.25", Metric = "sparsity_pct", Iteration = iteration, Sparsity = sparsity, Value = sparsity });
            values.Add(new MeasuredValue { Series = "resnet18-w0.25", Metric = "nonzero_weights", Iteration = iteration, Sparsity = sparsity, Value = 700_000 * (1 - sparsity / 100) });
        }
        ContentHash.SaveYaml(Path.Combine(dir, FigureRunner.ResultsFile), new FigureResults
        {
            Figure = "accuracy", Title = "Top-1 accuracy vs sparsity", Profile = profile, Values = values,
            Provenance = new Provenance { Seed = 1, GitCommit = "0123456789ab", Device = "cpu" },
            ProfileDeviations = ["input size: 56 (paper: 224)"], Deviations = [],
            Anchors =
            [
                DenseAnchor.Between("resnet18-w0.25: dense top-1 (val images)", shift + 0.61, 0.60, 0.95, "chance (1/classes)", 0.1, "between 60 % and 95 %"),
                DenseAnchor.Between("resnet18-w0.25: sparsity reached (%)", 36, 95, 100, "the paper's ResNet-18 trajectory", 99.7, "≥ 95 %"),
            ],
        });
        return dir;
    }

    /// <summary>
    /// What a rebuild must reproduce byte for byte within one process. SVGs are left out here: Skia numbers their clip
    /// paths from a process-wide counter; the CLI test compares them across processes.
    /// </summary>
    static Dictionary<string, byte[]> ReportFiles(string reportsRoot) =>
        Directory.EnumerateFiles(reportsRoot, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetExtension(f) is ".png" or ".html" or ".yaml")
            .ToDictionary(f => Path.GetRelativePath(reportsRoot, f), File.ReadAllBytes);

    [Fact]
    public void Plots_and_report_rebuilt_from_the_results_alone_are_byte_identical()
    {
        using var tmp = new TempDir();
        var dir = WriteAccuracyResults(tmp.Path);
        var figures = new IFigure[] { new AccuracyFigure(), new RotationFigure() };
        FigureRunner.PlotAll(tmp.Path, "ci", figures, _ => { });
        HtmlReport.Write(tmp.Path, "ci", figures);
        var first = ReportFiles(tmp.Path);
        Assert.Contains(Path.Combine("ci", "accuracy", "accuracy.png"), first.Keys);
        Assert.Contains(Path.Combine("ci", "index.html"), first.Keys);

        foreach (var f in Directory.EnumerateFiles(dir).Where(f => !f.EndsWith(FigureRunner.ResultsFile, StringComparison.Ordinal)))
            File.Delete(f);
        File.Delete(Path.Combine(tmp.Path, "ci", "index.html"));
        FigureRunner.PlotAll(tmp.Path, "ci", figures, _ => { });
        HtmlReport.Write(tmp.Path, "ci", figures);
        var second = ReportFiles(tmp.Path);

        Assert.Equal(first.Keys.Order(), second.Keys.Order());
        foreach (var (name, bytes) in first)
            Assert.True(bytes.AsSpan().SequenceEqual(second[name]), $"{name} differs after rebuilding from results.yaml");
    }

    [Fact]
    public void A_stale_png_in_a_figure_folder_is_removed_by_the_plot_stage_and_never_shown()
    {
        using var tmp = new TempDir();
        var dir = WriteAccuracyResults(tmp.Path);
        File.WriteAllBytes(Path.Combine(dir, "old-plot.png"), File.ReadAllBytes(Path.Combine(TestSupport.RepoRoot, "tests", "Repro.Tests", "Report", "StageTests.cs")));
        var plots = FigureRunner.Plot(new AccuracyFigure(), dir);
        Assert.False(File.Exists(Path.Combine(dir, "old-plot.png")));
        Assert.DoesNotContain(plots.Plots, p => p.Png == "old-plot.png");

        // a PNG written after the plot stage (by hand, by another tool) is not in plots.yaml, so not in the report
        File.Copy(Path.Combine(dir, "accuracy.png"), Path.Combine(dir, "stray.png"));
        var html = File.ReadAllText(HtmlReport.Write(tmp.Path, "ci", [new AccuracyFigure()]));
        Assert.DoesNotContain("stray.png", html);
        Assert.Contains("accuracy/accuracy.png", html);
    }

    [Fact]
    public void The_report_has_a_summary_one_section_per_listed_figure_and_says_when_a_figure_has_no_claim_or_no_results()
    {
        using var tmp = new TempDir();
        var dir = WriteAccuracyResults(tmp.Path);
        FigureRunner.Plot(new AccuracyFigure(), dir);
        var html = File.ReadAllText(HtmlReport.Write(tmp.Path, "ci", [new AccuracyFigure(), new ResNet18TasksFigure()]));

        Assert.Equal(2, html.Split("<section class=\"figure\"").Length - 1);
        Assert.Contains("<section class=\"figure\" id=\"accuracy\">", html);
        Assert.Contains("<section class=\"figure\" id=\"resnet18-tasks\">", html);
        Assert.Contains("<a href=\"#resnet18-tasks\">", html);
        Assert.Contains("not checked", html);   // no check.yaml yet
        Assert.Contains("No claim of the paper is tested by this figure.", html);
        Assert.Contains("Not measured yet", html);
        // the profile-wide deviation once, in its own list, not in a section
        Assert.Equal(1, html.Split("input size: 56 (paper: 224)").Length - 1);
        // the anchors of every figure in one table, each met or not
        Assert.Contains("<h2 id=\"anchors\">Is the data informative?</h2>", html);
        Assert.Contains("<td>resnet18-w0.25: dense top-1 (val images)</td><td>0.61</td><td>chance (1/classes): 0.1</td><td>between 60 % and 95 %</td><td class=\"pass\">met</td>", html);
        Assert.Contains("<td>resnet18-w0.25: sparsity reached (%)</td><td>36</td><td>the paper&#39;s ResNet-18 trajectory: 99.7</td><td>≥ 95 %</td><td class=\"fail\">not met</td>", html);
    }

    [Fact]
    public void Accept_copies_the_received_values_to_the_file_the_check_compared_with_and_refuses_a_stale_check()
    {
        using var tmp = new TempDir();
        var reports = tmp.Combine("reports");
        var dir = WriteAccuracyResults(reports);
        var check = FigureRunner.Check(new AccuracyFigure(), tmp.Path, Path.Combine("ci", "threads-1"), dir);
        Assert.True(check.ExpectedMissing);
        Assert.Equal(Path.Combine("expected-results", "ci", "threads-1", "accuracy.yaml"), check.ExpectedFile);

        var accepted = Assert.Single(FigureRunner.Accept(tmp.Path, reports, "ci", ["accuracy", "rotation"]));
        Assert.Equal(tmp.Combine("expected-results", "ci", "threads-1", "accuracy.yaml"), accepted);
        Assert.Equal(File.ReadAllText(Path.Combine(dir, FigureRunner.ReceivedFile)), File.ReadAllText(accepted));
        Assert.Equal(9, ExpectedResults.Load(accepted).Values.Count);

        // values of another machine than the accepted file's go beside it, into machines/<machine>/
        var other = ExpectedResults.Load(accepted);
        other.Machine = "GenuineIntel family 6 model 85 avx512f";
        StrictYaml.SaveAtomically(accepted, other);
        var beside = Assert.Single(FigureRunner.Accept(tmp.Path, reports, "ci", ["accuracy"]));
        var received = ExpectedResults.Load(Path.Combine(dir, FigureRunner.ReceivedFile));
        Assert.Equal(tmp.Combine("expected-results", "ci", "threads-1", "machines", FigureRunner.MachineSlug(received.Machine, received.Convolutions), "accuracy.yaml"), beside);
        Assert.Equal("GenuineIntel family 6 model 85 avx512f", ExpectedResults.Load(accepted).Machine);

        // new values written after the check (a run killed between the two): nothing is accepted
        WriteAccuracyResults(reports, shift: -0.5);
        var e = Assert.Throws<ConfigException>(() => FigureRunner.Accept(tmp.Path, reports, "ci", ["accuracy"]));
        Assert.Contains("rerun the figure before accepting", e.Message);
    }

    [Fact]
    public void Plotting_reads_only_artefacts_the_results_name()
    {
        using var tmp = new TempDir();
        var folder = FigureFolder.ForPlot(tmp.Path, ["cells/a.png"]);
        File.WriteAllText(tmp.Combine("b.png"), "");
        Assert.Contains("does not name the artefact 'b.png'", Assert.Throws<ConfigException>(() => folder.Artefact("b.png")).Message);
        Assert.Contains("artefact named by results.yaml is missing", Assert.Throws<ConfigException>(() => folder.Artefact("cells/a.png")).Message);
        var measuring = FigureFolder.ForMeasurement(tmp.Path);
        File.WriteAllText(measuring.NewArtefact("cells/x/y.png"), "");
        Assert.Equal(["cells/x/y.png"], measuring.Artefacts);
        Assert.False(measuring.Has("cells/x/y.png"));
    }
}

/// <summary>The CLI's report command, from results files alone.</summary>
[Trait("Category", TestCategories.Integration)]
public class ReportCommandTests
{
    [Fact]
    public void The_report_command_rebuilds_the_report_from_results_files_after_the_plots_are_deleted()
    {
        using var tmp = new TempDir();
        var dir = StageTests.WriteAccuracyResults(tmp.Path);
        var (code, stdout, stderr) = TestSupport.Run(TestSupport.ReproCli("report", "--profile", "ci", "--repo-root", TestSupport.RepoRoot, "--reports-dir", tmp.Path));
        Assert.True(code == 0, stdout + stderr);
        var html = File.ReadAllText(Path.Combine(tmp.Path, "ci", "index.html"));
        var png = File.ReadAllBytes(Path.Combine(dir, "accuracy.png"));
        var svg = File.ReadAllBytes(Path.Combine(dir, "accuracy.svg"));
        File.Delete(Path.Combine(dir, "accuracy.png"));
        File.Delete(Path.Combine(dir, "accuracy.svg"));
        File.Delete(Path.Combine(tmp.Path, "ci", "index.html"));

        (code, stdout, stderr) = TestSupport.Run(TestSupport.ReproCli("report", "--profile", "ci", "--repo-root", TestSupport.RepoRoot, "--reports-dir", tmp.Path));
        Assert.True(code == 0, stdout + stderr);
        Assert.Equal(html, File.ReadAllText(Path.Combine(tmp.Path, "ci", "index.html")));
        Assert.Equal(png, File.ReadAllBytes(Path.Combine(dir, "accuracy.png")));
        Assert.Equal(svg, File.ReadAllBytes(Path.Combine(dir, "accuracy.svg")));
        // every figure of the ci profile has its section, measured or not
        var profile = ProfileLoader.Load(TestSupport.RepoRoot, "ci");
        foreach (var figure in profile.Figures) Assert.Contains($"<section class=\"figure\" id=\"{figure}\">", html);
    }
}
