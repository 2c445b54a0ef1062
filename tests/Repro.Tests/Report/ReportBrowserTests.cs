using System.Diagnostics;
using Repro.Data;
using SkiaSharp;
using Xunit.Abstractions;

namespace Repro.Tests.Report;

/// <summary>The HTML report as a reader's browser shows it: images, links, errors and one section per figure.</summary>
[Trait("Category", TestCategories.Browser)]
public class ReportBrowserTests(ITestOutputHelper output)
{
    static string Screenshot(string name) => Path.Combine(AppContext.BaseDirectory, "TestResults", name);

    [Fact]
    public async Task Ci_report_loads_every_image_and_link_without_errors_and_has_one_section_per_figure()
    {
        var clock = Stopwatch.StartNew();
        var (index, profile) = CiReport.Ensure();
        output.WriteLine($"report {index} ready after {clock.Elapsed.TotalSeconds:F1} s");
        var screenshot = Screenshot("report-ci.png");
        await using var browser = await ReportBrowser.Start();
        var page = await browser.Inspect(index, screenshot);
        output.WriteLine($"screenshot: {screenshot} ({clock.Elapsed.TotalSeconds:F1} s in all)");

        var seeScreenshot = $"\n(full-page screenshot: {screenshot})";
        Assert.True(page.Images >= profile.Figures.Count, $"{page.Images} images for {profile.Figures.Count} figures in {index}{seeScreenshot}");
        Assert.True(page.Problems.Count == 0, $"{index}:\n{string.Join("\n", page.Problems)}{seeScreenshot}");
        var sections = ReportBrowser.SectionProblems(page.FigureSections, profile.Figures);
        Assert.True(sections.Count == 0, $"{index} against the ci profile's figures:\n{string.Join("\n", sections)}{seeScreenshot}");
    }

    /// <summary>The same checks on a page with one fault of each kind, beside a clean one: each fault is reported, nothing else.</summary>
    [Fact]
    public async Task Checks_report_a_broken_image_console_and_page_errors_broken_links_and_missing_sections()
    {
        using var dir = new TempDir();
        using (var pixel = new SKBitmap(4, 3)) ImageCodec.EncodeToFile(pixel, dir["plot.png"]);
        File.WriteAllText(dir["clean.html"], """
            <!DOCTYPE html><html><head><meta charset="utf-8"><title>clean</title></head><body>
            <section class="figure" id="accuracy"><h2>Accuracy</h2><p><a href="plot.png"><img src="plot.png" alt="plot"></a> <a href="#accuracy">top</a></p></section>
            <section class="figure" id="rotation"><h2>Rotation</h2></section></body></html>
            """);
        File.WriteAllText(dir["broken.html"], """
            <!DOCTYPE html><html><head><meta charset="utf-8"><title>broken</title></head><body>
            <section class="figure" id="accuracy"><h2>Accuracy</h2><p><img src="plot.png" alt="plot"><img src="missing.png" alt="missing"></p></section>
            <p><a href="gone/plot.svg">svg</a> <a href="#nowhere">anchor</a> <a href="plot.png">fine</a></p>
            <script>console.error("deliberate console error"); throw new Error("deliberate page error");</script>
            </body></html>
            """);
        string[] figures = ["accuracy", "rotation"];

        await using var browser = await ReportBrowser.Start();
        var clean = await browser.Inspect(dir["clean.html"], dir["clean.png"]);
        Assert.Empty(clean.Problems);
        Assert.Equal(1, clean.Images);
        Assert.Empty(ReportBrowser.SectionProblems(clean.FigureSections, figures));
        Assert.True(new FileInfo(dir["clean.png"]).Length > 0);

        var broken = await browser.Inspect(dir["broken.html"], dir["broken.png"]);
        output.WriteLine(string.Join("\n", broken.Problems));
        Assert.Equal(2, broken.Images);
        Assert.Contains("image not loaded: missing.png", broken.Problems);
        Assert.Contains(broken.Problems, p => p.StartsWith("console error: deliberate console error"));
        Assert.Contains(broken.Problems, p => p.StartsWith("page error:") && p.Contains("deliberate page error"));
        Assert.Contains("link to a missing file: gone/plot.svg", broken.Problems);
        Assert.Contains("link to a missing anchor: #nowhere", broken.Problems);
        Assert.DoesNotContain(broken.Problems, p => p.Contains("plot.png"));
        Assert.Equal(["no section for figure 'rotation'"], ReportBrowser.SectionProblems(broken.FigureSections, figures));
        Assert.Equal(["section 'accuracy' is no figure of the profile", "2 sections for figure 'rotation'"],
            ReportBrowser.SectionProblems(["accuracy", "rotation", "rotation"], ["rotation"]));
    }
}
