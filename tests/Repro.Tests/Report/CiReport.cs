using Repro.Config;
using Repro.Figures;
using Repro.Report;

namespace Repro.Tests.Report;

/// <summary>reports/ci/index.html with every figure of the ci profile, for the browser test.</summary>
public static class CiReport
{
    /// <summary>
    /// Runs the ci figures that have no results in reports/ci/ yet (from the cached checkpoints where there are some),
    /// then rewrites index.html from the results on disk, so the page is the one this build's HtmlReport writes.
    /// </summary>
    public static (string Index, Profile Profile) Ensure()
    {
        var profile = ProfileLoader.Load(TestSupport.RepoRoot, "ci");
        var reports = FigureRunner.ReportDirectory(TestSupport.RepoRoot, profile.Name);
        foreach (var name in profile.Figures)
            if (!File.Exists(Path.Combine(reports, name, FigureRunner.ResultsFile)))
                FigureRunner.Run(FigureCatalog.Get(name), TestSupport.Context(profile, Path.Combine(TestSupport.RepoRoot, ".cache")));
        return (HtmlReport.Write(TestSupport.RepoRoot, profile.Name), profile);
    }
}
