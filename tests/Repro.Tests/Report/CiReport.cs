using Repro.Config;
using Repro.Figures;
using Repro.Report;

namespace Repro.Tests.Report;

/// <summary>The ci report under the tests' output root, with every figure of the ci profile, for the browser test.</summary>
public static class CiReport
{
    /// <summary>
    /// Runs the ci figures that have no results there yet (from the cached checkpoints where there are some),
    /// then rewrites index.html from the results on disk, so the page is the one this build's HtmlReport writes.
    /// </summary>
    public static (string Index, Profile Profile) Ensure()
    {
        var profile = ProfileLoader.Load(TestSupport.RepoRoot, "ci");
        foreach (var figure in FigureCatalog.Of(profile))
            if (!File.Exists(Path.Combine(FigureRunner.FigureDirectory(TestSupport.ReportsRoot, profile.Name, figure.Name), FigureRunner.ResultsFile)))
                FigureRunner.Run(figure, TestSupport.Context(profile, TestSupport.CacheRoot));
        return (HtmlReport.Write(TestSupport.ReportsRoot, profile.Name, FigureCatalog.Of(profile)), profile);
    }
}
