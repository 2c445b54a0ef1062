using System.Globalization;
using System.Net;
using System.Text;
using Repro.Config;
using Repro.Figures;
using Repro.Results;

namespace Repro.Report;

/// <summary>reports/&lt;profile&gt;/index.html: one section per figure that has results, read from files only.</summary>
public static class HtmlReport
{
    public static string Write(string repoRoot, string profile)
    {
        var dir = FigureRunner.ReportDirectory(repoRoot, profile);
        var html = new StringBuilder();
        html.Append($$"""
            <!DOCTYPE html><html><head><meta charset="utf-8"><title>Repro report: {{E(profile)}}</title>
            <style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:.5em 0}
            td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;font-size:90%}.pass{color:#1a7f37}.fail{color:#c62828}
            img{max-width:100%;border:1px solid #ddd}details{margin:.5em 0}</style></head><body>
            <h1>When Does Pruning Benefit Vision Representations? — reproduction report</h1>
            <p>Profile <b>{{E(profile)}}</b>. Each section is one paper figure: the plot, whether every number is inside its
            expected band, whether the paper's qualitative claims hold in this run, and where this run departs from the paper.</p>
            """);
        foreach (var figure in FigureCatalog.All)
        {
            var resultsPath = Path.Combine(dir, figure.Name, FigureRunner.ResultsFile);
            if (!File.Exists(resultsPath)) continue;
            var rerun = $"Delete it and rerun the figure (dotnet build -t:Reproduce -p:Profile={profile} -p:Figures={figure.Name}).";
            var r = ContentHash.LoadYaml<FigureResults>(resultsPath, rerun);
            var checkPath = Path.Combine(dir, figure.Name, FigureRunner.CheckFile);
            var check = File.Exists(checkPath) ? ContentHash.LoadYaml<BandCheckRecord>(checkPath, rerun) : null;
            html.Append($"<h2 id=\"{figure.Name}\">{E(r.Title)}</h2><p>{E(figure.Shows)}</p>");
            foreach (var png in Directory.GetFiles(Path.Combine(dir, figure.Name), "*.png").Order())
            {
                var rel = $"{figure.Name}/{Path.GetFileName(png)}";
                var link = File.Exists(Path.ChangeExtension(png, ".svg")) ? rel.Replace(".png", ".svg") : rel;
                html.Append($"<p><a href=\"{link}\"><img src=\"{rel}\" alt=\"{E(Path.GetFileName(png))}\"></a></p>");
            }
            html.Append("<h3>Expected-results check</h3>");
            if (check == null) html.Append("<p>not checked</p>");
            else if (FigureRunner.IsStale(check, resultsPath))
                html.Append($"<p class=\"fail\">check is stale: rerun the figure. The values in {E(figure.Name)}/results.yaml are not the ones " +
                            $"the last band check judged (that run ended between writing the two); its verdict is not shown.</p>");
            else if (check.ExpectedMissing) html.Append($"<p class=\"fail\">No expected results ({E(check.ExpectedFile)}); this run's values are in {E(check.ReceivedFile)}.</p>");
            else if (check.Passed) html.Append($"<p class=\"pass\">All {check.Checked} values within their bands ({E(check.ExpectedFile)}).</p>");
            else
            {
                html.Append($"<p class=\"fail\">{check.Violations.Count} of {check.Checked} values outside their bands ({E(check.ExpectedFile)}):</p><ul>");
                foreach (var v in check.Violations) html.Append($"<li><code>{E(v)}</code></li>");
                html.Append("</ul>");
            }
            html.Append("<h3>Claims of the paper</h3><table><tr><th>claim</th><th>this run</th><th>evidence</th></tr>");
            foreach (var c in r.Claims)
                html.Append($"<tr><td>{E(c.Claim)}</td><td class=\"{(c.Reproduced ? "pass" : "fail")}\">{(c.Reproduced ? "reproduced" : "not reproduced")}</td><td>{E(c.Evidence)}</td></tr>");
            html.Append("</table><h3>Deviations from the paper</h3><ul>");
            foreach (var d in r.Deviations) html.Append($"<li>{E(d)}</li>");
            html.Append("</ul>");
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
            html.Append("</table></details>");
        }
        html.Append("</body></html>\n");
        var path = Path.Combine(dir, "index.html");
        AtomicFile.WriteAllText(path, html.ToString());
        return path;
    }

    static string E(string s) => WebUtility.HtmlEncode(s);
}
