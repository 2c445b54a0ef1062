using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Repro.Tests.Report;

/// <summary>What a page showed in the browser: every problem found, its figure sections' ids, and how many images it has.</summary>
public sealed record PageInspection(IReadOnlyList<string> Problems, IReadOnlyList<string> FigureSections, int Images);

/// <summary>
/// The system Chromium, headless, driven through the driver that Microsoft.Playwright's package copies beside the
/// tests (.playwright/), so no browser is downloaded. REPRO_CHROMIUM names another Chromium or Chrome executable.
/// </summary>
public sealed class ReportBrowser : IAsyncDisposable
{
    public const string ChromiumVariable = "REPRO_CHROMIUM";
    public const string DefaultChromium = "/usr/bin/chromium";
    /// <summary>The element HtmlReport gives each figure, its id the figure's name.</summary>
    public const string FigureSection = "section.figure";

    readonly IPlaywright _playwright;
    readonly IBrowser _browser;

    ReportBrowser(IPlaywright playwright, IBrowser browser) => (_playwright, _browser) = (playwright, browser);

    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable(ChromiumVariable) is { Length: > 0 } path ? path : DefaultChromium;

    /// <summary>Starts Chromium; fails, never skips, when there is none.</summary>
    public static async Task<ReportBrowser> Start()
    {
        var chromium = ChromiumPath;
        Assert.True(File.Exists(chromium),
            $"no Chromium at {chromium}: the report's browser test needs one. Install it (apt-get install chromium) " +
            $"or set {ChromiumVariable} to a Chromium or Chrome executable.");
        var playwright = await Playwright.CreateAsync();
        try
        {
            return new ReportBrowser(playwright, await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true }));
        }
        catch (PlaywrightException e)
        {
            playwright.Dispose();
            Assert.Fail($"Chromium at {chromium} did not start under Playwright ({e.Message}). Reinstall it (apt-get install chromium) " +
                        $"or set {ChromiumVariable} to a working Chromium or Chrome executable.");
            throw;
        }
    }

    /// <summary>
    /// Opens <paramref name="htmlFile"/> over file://, lists broken images, console and page errors, relative links
    /// to missing files and anchors to missing ids, and saves a full-page screenshot to <paramref name="screenshot"/>.
    /// </summary>
    public async Task<PageInspection> Inspect(string htmlFile, string screenshot)
    {
        var page = await _browser.NewPageAsync();
        var problems = new ConcurrentQueue<string>();
        page.Console += (_, m) => { if (m.Type == "error") problems.Enqueue($"console error: {m.Text} (at {m.Location})"); };
        page.PageError += (_, e) => problems.Enqueue($"page error: {e}");
        var address = new Uri(Path.GetFullPath(htmlFile));
        await page.GotoAsync(address.AbsoluteUri, new() { WaitUntil = WaitUntilState.Load });

        var images = await page.EvaluateAsync<int>("document.images.length");
        var broken = await page.EvaluateAsync<string[]>(
            "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.getAttribute('src'))");
        var hrefs = await page.EvaluateAsync<string[]>("Array.from(document.querySelectorAll('a[href]'), a => a.getAttribute('href'))");
        var ids = (await page.EvaluateAsync<string[]>("Array.from(document.querySelectorAll('[id]'), e => e.id)")).ToHashSet();
        var sections = await page.EvaluateAsync<string[]>($"Array.from(document.querySelectorAll('{FigureSection}'), e => e.id)");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(screenshot))!);
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        await page.CloseAsync();

        var found = problems.ToList();
        found.AddRange(broken.Select(src => $"image not loaded: {src}"));
        foreach (var href in hrefs)
        {
            if (href.StartsWith('#'))
            {
                if (!ids.Contains(Uri.UnescapeDataString(href[1..]))) found.Add($"link to a missing anchor: {href}");
                continue;
            }
            // Only links inside the report can be checked offline.
            if (!Uri.TryCreate(address, href, out var target) || !target.IsFile) continue;
            if (!File.Exists(target.LocalPath) && !Directory.Exists(target.LocalPath)) found.Add($"link to a missing file: {href}");
            else if (target.Fragment.Length > 1 && target.LocalPath == address.LocalPath && !ids.Contains(Uri.UnescapeDataString(target.Fragment[1..])))
                found.Add($"link to a missing anchor: {href}");
        }
        return new PageInspection(found, sections, images);
    }

    /// <summary>The differences between a page's figure sections and the figures it should show, one section each.</summary>
    public static List<string> SectionProblems(IReadOnlyList<string> sections, IReadOnlyList<string> figures)
    {
        var problems = figures.Except(sections).Select(f => $"no section for figure '{f}'").ToList();
        problems.AddRange(sections.Except(figures).Select(s => $"section '{s}' is no figure of the profile"));
        problems.AddRange(sections.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => $"{g.Count()} sections for figure '{g.Key}'"));
        return problems;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
