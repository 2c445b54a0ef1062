using System.Globalization;
using System.Net;
using System.Text;
using Repro.Config;
using Repro.Figures;
using Repro.Results;

namespace Repro.Report;

/// <summary>
/// reports/&lt;profile&gt;/index.html, built from the files the stages wrote and nothing else: each figure's results.yaml,
/// check.yaml and plots.yaml. A summary table opens it; then the deviations every figure shares, once; then one section
/// per figure of the profile, in the profile's order.
/// </summary>
public static class HtmlReport
{
    const string Style = "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222;line-height:1.4}" +
                         "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top;font-size:90%}" +
                         ".pass{color:#1a7f37}.fail{color:#c62828}.none{color:#666}img{max-width:100%;border:1px solid #ddd}details{margin:.5em 0}" +
                         "section.figure{border-top:2px solid #ddd;margin-top:2em}ul.claims{margin:0;padding-left:1.2em}";

    /// <summary>The parts of one figure's folder the report shows; null members were not written (yet).</summary>
    /// <param name="ResultsHash">The content hash results.yaml holds, which check.yaml and plots.yaml must name to be current.</param>
    sealed record FigureFiles(IFigure Figure, FigureResults? Results, string? ResultsHash, BandCheckRecord? Check, PlotFiles? Plots)
    {
        public bool CheckIsStale => Check != null && Check.ResultsHash != ResultsHash;
        public bool PlotsAreStale => Plots != null && Plots.ResultsHash != ResultsHash;
    }

    public static string Write(string reportsRoot, string profile, IReadOnlyList<IFigure> figures)
    {
        var dir = FigureRunner.ReportDirectory(reportsRoot, profile);
        var rerun = $"Delete it and rerun the figure (dotnet build -t:Reproduce -p:Profile={profile}).";
        var files = figures.Select(f =>
        {
            var d = FigureRunner.FigureDirectory(reportsRoot, profile, f.Name);
            T? Load<T>(string name) where T : class => File.Exists(Path.Combine(d, name)) ? ContentHash.LoadYaml<T>(Path.Combine(d, name), rerun) : null;
            var results = Load<FigureResults>(FigureRunner.ResultsFile);
            return new FigureFiles(f, results, results == null ? null : ContentHash.StoredYamlHash(Path.Combine(d, FigureRunner.ResultsFile)),
                Load<BandCheckRecord>(FigureRunner.CheckFile), Load<PlotFiles>(FigureRunner.PlotsFile));
        }).ToList();

        var html = new StringBuilder();
        html.Append($$"""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Repro report: {{E(profile)}}</title>
            <style>{{Style}}</style></head><body>
            <h1>When Does Pruning Benefit Vision Representations? — reproduction report</h1>
            <p>Profile <b>{{E(profile)}}</b>. Each section is one paper figure: its plots, whether every number is inside its
            expected band, what this run's evidence says of the paper's claims, and where this run departs from the paper.</p>
            """);
        Summary(html, files);
        InformativeAnchors(html, files);
        CommonDeviations(html, files);
        foreach (var f in files) Section(html, f, profile);
        html.Append("</body></html>\n");
        var path = Path.Combine(dir, "index.html");
        AtomicFile.WriteAllText(path, html.ToString());
        return path;
    }

    static void Summary(StringBuilder html, List<FigureFiles> files)
    {
        html.Append("<h2 id=\"summary\">Summary</h2>" +
                    "<p>Two kinds of check. The <b>regression check</b> compares every number with the values this code produced " +
                    "before, within the run-to-run tolerance measured on the reference machine (a wider, stated tolerance on another " +
                    "machine): it catches code changes, not science. The <b>claims</b> are the paper's statements judged as " +
                    "statistical tests over this run's seeds and images, paired against the dense model and the no-pruning control, " +
                    "Holm-corrected over what they scan: supported, contradicted, inconclusive, or uninformative when the " +
                    "experiment's chance anchor fails on the dense model.</p>" +
                    "<table><tr><th>figure</th><th>regression check</th><th>claims of the paper</th></tr>");
        foreach (var f in files)
        {
            html.Append($"<tr><td><a href=\"#{f.Figure.Name}\">{E(f.Figure.Title)}</a></td>");
            var (verdict, ok) = BandVerdict(f);
            html.Append($"<td class=\"{(ok ? "pass" : "fail")}\">{E(verdict)}</td><td>");
            if (f.Results == null) html.Append("<span class=\"none\">not measured</span>");
            else if (f.Results.Claims.Count == 0) html.Append("<span class=\"none\">no claim</span>");
            else
            {
                html.Append("<ul class=\"claims\">");
                foreach (var c in f.Results.Claims)
                    html.Append($"<li><span class=\"{VerdictClass(c.Verdict)}\">{c.Verdict.InWords()}</span>: {E(c.Claim)}</li>");
                html.Append("</ul>");
            }
            html.Append("</td></tr>");
        }
        html.Append("</table>");
    }

    static (string Text, bool Ok) BandVerdict(FigureFiles f) => f switch
    {
        { Results: null } => ("not measured", false),
        { Check: null } => ("not checked", false),
        { CheckIsStale: true } => ("check is stale: rerun the figure", false),
        { Check.ExpectedSeed: { } seed } => (string.Create(CultureInfo.InvariantCulture, $"not compared: the expected values are seed {seed}'s"), true),
        { Check.ExpectedMissing: true } => ("no expected results", false),
        { Check: { MachineMatches: false } c } when c.Passed => (string.Create(CultureInfo.InvariantCulture,
            $"all {c.Checked - c.NotComparable} comparable values within the cross-machine tolerance ({c.NotComparable} not comparable on another machine)"), true),
        { Check: var c } when c.Passed => (string.Create(CultureInfo.InvariantCulture, $"all {c.Checked} in band"), true),
        { Check: var c } => (string.Create(CultureInfo.InvariantCulture, $"{c.Violations.Count} of {c.Checked} outside their bands"), false),
    };

    /// <summary>Every figure's dense-model anchors in one table: whether this run's data can show anything at all.</summary>
    static void InformativeAnchors(StringBuilder html, List<FigureFiles> files)
    {
        var rows = files.Where(f => f.Results is { Anchors.Count: > 0 }).SelectMany(f => f.Results!.Anchors.Select(a => (f.Figure, Anchor: a))).ToList();
        html.Append("<h2 id=\"anchors\">Is the data informative?</h2>" +
                    "<p>A claim can only be tested where the dense model is clear of chance and of a ceiling, and where the trajectory reaches " +
                    "the sparsities the paper studies. Each row is one such anchor of this run: the measured value, the reference it must clear, " +
                    "and the goal the embedded data were designed to meet.</p>");
        if (rows.Count == 0) { html.Append("<p class=\"none\">No figure of this run reports an anchor.</p>"); return; }
        html.Append("<table><tr><th>figure</th><th>measure</th><th>value</th><th>reference</th><th>goal</th><th>met?</th></tr>");
        foreach (var (figure, a) in rows)
            html.Append(string.Create(CultureInfo.InvariantCulture,
                $"<tr><td><a href=\"#{figure.Name}\">{E(figure.Title)}</a></td><td>{E(a.Measure)}</td><td>{a.Value:0.###}</td>" +
                $"<td>{E(a.Reference)}{(a.ReferenceValue is { } rv ? $": {rv:0.###}" : "")}</td><td>{E(a.Goal)}</td>" +
                $"<td class=\"{(a.Met ? "pass" : "fail")}\">{(a.Met ? "met" : "not met")}</td></tr>"));
        html.Append("</table>");
    }

    /// <summary>The deviations every figure's results carry, once (their union, in first-seen order).</summary>
    static void CommonDeviations(StringBuilder html, List<FigureFiles> files)
    {
        var common = files.Where(f => f.Results != null).SelectMany(f => f.Results!.ProfileDeviations).Distinct().ToList();
        html.Append("<h2 id=\"deviations\">Deviations from the paper shared by every figure</h2>");
        if (common.Count == 0) { html.Append("<p class=\"none\">none</p>"); return; }
        html.Append("<ul>");
        foreach (var d in common) html.Append($"<li>{E(d)}</li>");
        html.Append("</ul><p>Each figure's section lists the deviations of its own settings.</p>");
    }

    static void Section(StringBuilder html, FigureFiles f, string profile)
    {
        var name = f.Figure.Name;
        html.Append($"<section class=\"figure\" id=\"{name}\"><h2>{E(f.Figure.Title)}</h2><p>{E(f.Figure.Shows)}</p>");
        if (f.Results is not { } r)
        {
            html.Append($"<p class=\"fail\">Not measured yet: no {E(name)}/{FigureRunner.ResultsFile}. Run it with dotnet build -t:Reproduce -p:Profile={E(profile)} -p:Figures={E(name)}.</p></section>");
            return;
        }
        if (f.Plots == null) html.Append($"<p class=\"fail\">Not plotted: no {E(name)}/{FigureRunner.PlotsFile}. Draw the plots with 'repro plot --profile {E(profile)}'.</p>");
        else if (f.PlotsAreStale) html.Append($"<p class=\"fail\">The plots were drawn from other results than {E(name)}/{FigureRunner.ResultsFile} holds; redraw them with 'repro plot --profile {E(profile)}'.</p>");
        foreach (var plot in f.Plots?.Plots ?? [])
        {
            var src = $"{name}/{plot.Png}";
            var link = plot.Svg is { } svg ? $"{name}/{svg}" : src;
            html.Append($"<p><a href=\"{E(link)}\"><img src=\"{E(src)}\" alt=\"{E(plot.Png)}\"></a></p>");
        }

        html.Append("<h3>Regression check</h3>");
        var check = f.Check;
        if (check == null) html.Append("<p class=\"fail\">not checked</p>");
        else if (f.CheckIsStale)
            html.Append($"<p class=\"fail\">check is stale: rerun the figure. The values in {E(name)}/{FigureRunner.ResultsFile} are not the ones " +
                        "the last band check judged (that run ended between writing the two); its verdict is not shown.</p>");
        else if (check.ExpectedSeed is { } seed)
            html.Append($"<p>Not compared with {E(check.ExpectedFile)}: its values are seed {seed}'s and this run trained another seed; a regression " +
                        $"check holds one seed's own values. This run's values are in {E(name)}/{FigureRunner.ReceivedFile}.</p>");
        else if (check.ExpectedMissing) html.Append($"<p class=\"fail\">No expected results ({E(check.ExpectedFile)}); this run's values are in {E(name)}/{FigureRunner.ReceivedFile}.</p>");
        else if (check.Passed) html.Append($"<p class=\"pass\">All {check.Checked} values within their bands ({E(check.ExpectedFile)}).</p>");
        else
        {
            html.Append($"<p class=\"fail\">{check.Violations.Count} of {check.Checked} values outside their bands ({E(check.ExpectedFile)}):</p><ul>");
            foreach (var v in check.Violations) html.Append($"<li><code>{E(v)}</code></li>");
            html.Append("</ul>");
        }
        if (check is { MachineMatches: false } && !f.CheckIsStale)
            html.Append($"<p class=\"none\">The expected values were measured on {E(check.ExpectedMachine)}; this run is on {E(check.Machine)}, so the check used " +
                        $"the cross-machine tolerance, and {check.NotComparable} values whose band across the reference seeds would span more than half their range were not compared.</p>");

        html.Append("<h3>Claims of the paper</h3>");
        if (r.Claims.Count == 0) html.Append("<p class=\"none\">No claim of the paper is tested by this figure.</p>");
        else
        {
            html.Append("<table class=\"claims\"><tr><th>claim</th><th>verdict</th><th>effect vs dense [interval]</th><th>effect vs control [interval]</th>" +
                        "<th>Holm p (comparisons)</th><th>chance anchor</th><th>rests on</th><th>evidence</th></tr>");
            foreach (var c in r.Claims)
                html.Append($"<tr><td>{E(c.Claim)}</td><td class=\"{VerdictClass(c.Verdict)}\">{c.Verdict.InWords()}</td>" +
                            $"<td>{E(Effect(c.Effect, c.CiLower, c.CiUpper, c.Confidence))}</td><td>{E(Effect(c.EffectVsControl, c.CiLowerVsControl, c.CiUpperVsControl, c.Confidence))}</td>" +
                            $"<td>{E(c.PAdjusted is { } p ? string.Create(CultureInfo.InvariantCulture, $"{p:G3} ({c.Comparisons})") : "—")}</td>" +
                            $"<td class=\"{(c.AnchorPassed switch { true => "pass", false => "fail", _ => "none" })}\">{E(c.Anchor)}</td>" +
                            $"<td>{E(c.Seeds == 0 ? "—" : string.Create(CultureInfo.InvariantCulture, $"{c.Seeds} seed{(c.Seeds == 1 ? "" : "s")}, {c.Images} images"))}</td>" +
                            $"<td>{E(c.Evidence)}{(c.Comparison is { } cmp ? $" <em>Comparison: {E(cmp)}.</em>" : "")}</td></tr>");
            html.Append("</table>");
        }

        html.Append("<h3>Deviations of this figure's own settings</h3>");
        if (r.Deviations.Count == 0) html.Append("<p class=\"none\">none beyond those <a href=\"#deviations\">every figure shares</a></p>");
        else
        {
            html.Append("<ul>");
            foreach (var d in r.Deviations) html.Append($"<li>{E(d)}</li>");
            html.Append("</ul><p>Also those <a href=\"#deviations\">every figure shares</a>.</p>");
        }
        if (r.SkippedInputs.Count > 0)
        {
            html.Append($"<h3>Skipped inputs</h3><p class=\"fail\">{r.SkippedInputs.Count} input files were missing and skipped as the profile allows; the values are measured without them:</p><ul>");
            foreach (var s in r.SkippedInputs) html.Append($"<li><code>{E(s)}</code></li>");
            html.Append("</ul>");
        }
        html.Append("<details><summary>Values</summary><table><tr><th>series</th><th>metric</th><th>iteration</th><th>sparsity %</th><th>value</th></tr>");
        foreach (var v in r.Values)
            html.Append(string.Create(CultureInfo.InvariantCulture,
                $"<tr><td>{E(v.Series)}</td><td>{E(v.Metric)}</td><td>{v.Iteration}</td><td>{v.Sparsity:F2}</td><td>{v.Value:G6}</td></tr>"));
        html.Append("</table></details><details><summary>Provenance</summary><table>");
        foreach (var prop in typeof(Provenance).GetProperties())
        {
            var value = prop.GetValue(r.Provenance);
            var text = value is System.Collections.IEnumerable list and not string ? string.Join(", ", list.Cast<object>()) : Convert.ToString(value, CultureInfo.InvariantCulture);
            html.Append($"<tr><th>{E(prop.Name)}</th><td>{E(text ?? "")}</td></tr>");
        }
        html.Append("</table></details></section>");
    }

    /// <summary>Supported and contradicted are findings; inconclusive, uninformative and no claim are neither.</summary>
    static string VerdictClass(Verdict v) => v switch
    {
        Verdict.Supported => "pass",
        Verdict.Contradicted => "fail",
        _ => "none",
    };

    static string Effect(double? effect, double? lower, double? upper, double? confidence) => effect is { } e
        ? string.Create(CultureInfo.InvariantCulture, $"{e:+0.000;-0.000;0.000} [{lower:+0.000;-0.000;0.000}, {upper:+0.000;-0.000;0.000}] ({confidence:P1})")
        : "—";

    static string E(string s) => WebUtility.HtmlEncode(s);
}
