using Repro.Config;
using Repro.Figures;
using Repro.Report;
using Repro.Results;

namespace Repro.Tests.Faults;

[Trait("Category", TestCategories.Unit)]
public class StaleCheckTests
{
    [Fact]
    public void The_report_marks_a_check_older_than_its_results_instead_of_showing_its_verdict()
    {
        using var tmp = new TempDir();
        var dir = Path.Combine(FigureRunner.ReportDirectory(tmp.Path, "tiny"), "accuracy");
        var resultsPath = Path.Combine(dir, "results.yaml");
        var results = new FigureResults
        {
            Figure = "accuracy", Title = "Accuracy", Profile = "tiny",
            Values = [new MeasuredValue { Series = "resnet18", Metric = "top1", Iteration = 0, Value = 0.5 }],
        };
        var resultsHash = ContentHash.SaveYaml(resultsPath, results);
        var check = new BandCheckRecord { ExpectedFile = "expected-results/tiny/accuracy.yaml", Checked = 1, ResultsHash = resultsHash };
        ContentHash.SaveYaml(Path.Combine(dir, "check.yaml"), check);

        var fresh = File.ReadAllText(HtmlReport.Write(tmp.Path, "tiny", [new AccuracyFigure()]));
        Assert.Contains("All 1 values within their bands", fresh);
        Assert.DoesNotContain("check is stale", fresh);
        Assert.Empty(FigureRunner.StaleChecks(tmp.Path, "tiny"));

        // a later run wrote new values and was killed before its band check
        results.Values[0].Value = 0.25;
        ContentHash.SaveYaml(resultsPath, results);
        var stale = File.ReadAllText(HtmlReport.Write(tmp.Path, "tiny", [new AccuracyFigure()]));
        Assert.Contains("check is stale: rerun the figure", stale);
        Assert.DoesNotContain("All 1 values within their bands", stale);
        Assert.Equal(["accuracy"], FigureRunner.StaleChecks(tmp.Path, "tiny"));
    }
}
