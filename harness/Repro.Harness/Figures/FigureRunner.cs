using System.Diagnostics;
using Repro.Config;
using Repro.Report;
using Repro.Results;
using Repro.Training;

namespace Repro.Figures;

public sealed class BandCheckRecord
{
    public string ExpectedFile { get; set; } = "";
    public string ReceivedFile { get; set; } = "";
    public bool ExpectedMissing { get; set; }
    public int Checked { get; set; }
    public List<string> Violations { get; set; } = [];
    /// <summary>SHA-256 of the results.yaml this check judged; a different one there means the check is stale.</summary>
    public string ResultsSha256 { get; set; } = "";
    [YamlDotNet.Serialization.YamlIgnore]
    public bool Passed => !ExpectedMissing && Violations.Count == 0;
}

public sealed record FigureRunOutcome(FigureResults Results, BandCheckRecord Check);

/// <summary>
/// The stages around a figure's own measurement: results file with provenance, received file, band
/// check against expected-results, plots, and the report page.
/// </summary>
public static class FigureRunner
{
    public static string ReportDirectory(string repoRoot, string profile) => Path.Combine(repoRoot, "reports", profile);

    public static FigureRunOutcome Run(IFigure figure, RunContext context)
    {
        var wall = Stopwatch.StartNew();
        var profile = context.Profile;
        context.Log($"== figure '{figure.Name}' on profile '{profile.Name}' ({context.DeviceDescription})");
        // A broken expected-results file is reported before hours of measurement, not after.
        var expectedPath = ExpectedResults.PathFor(context.RepoRoot, profile.Name, figure.Name);
        if (File.Exists(expectedPath)) ExpectedResults.Load(expectedPath);
        var provenance = Provenance.Capture(profile, context.RepoRoot, context.DeviceDescription, context.Data.Root);
        var measured = figure.Measure(context);
        provenance.WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 1);
        var results = new FigureResults
        {
            Figure = figure.Name, Title = figure.Title, Profile = profile.Name, Provenance = provenance,
            Values = measured.Values, Claims = measured.Claims,
            Deviations = Deviations.Describe(profile, context.RepoRoot),
            SkippedInputs = [.. measured.SkippedInputs ?? []],
        };
        var dir = Path.Combine(ReportDirectory(context.RepoRoot, profile.Name), figure.Name);
        var resultsPath = Path.Combine(dir, "results.yaml");
        StrictYaml.SaveAtomically(resultsPath, results);

        var check = CheckBands(figure, context.RepoRoot, results);
        check.ResultsSha256 = Sha256Of(resultsPath);
        StrictYaml.SaveAtomically(Path.Combine(dir, "check.yaml"), check);
        figure.Plot(results, dir);
        HtmlReport.Write(context.RepoRoot, profile.Name);

        if (results.SkippedInputs.Count > 0)
            context.Log($"  {results.SkippedInputs.Count} input files skipped (listed in {Path.Combine(dir, "results.yaml")}), e.g. {results.SkippedInputs[0]}");
        foreach (var claim in results.Claims)
            context.Log($"  claim {(claim.Reproduced ? "REPRODUCED" : "not reproduced")}: {claim.Claim} — {claim.Evidence}");
        if (check.ExpectedMissing)
            context.Log($"  no expected results at {check.ExpectedFile}; review {check.ReceivedFile} and accept it with 'dotnet build -t:AcceptResults -p:Profile={profile.Name}'");
        else if (check.Violations.Count == 0)
            context.Log($"  all {check.Checked} values within their bands ({check.ExpectedFile})");
        else
        {
            context.Log($"  {check.Violations.Count} of {check.Checked} values outside their bands ({check.ExpectedFile}):");
            foreach (var v in check.Violations) context.Log($"    {v}");
            context.Log($"  this run's values are in {check.ReceivedFile}; if the change is intended, accept them with 'dotnet build -t:AcceptResults -p:Profile={profile.Name}'");
        }
        return new FigureRunOutcome(results, check);
    }

    public static string Sha256Of(string path) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant();

    /// <summary>Whether <paramref name="check"/> judged other values than those now in <paramref name="resultsPath"/> (e.g. a run killed between the two files).</summary>
    public static bool IsStale(BandCheckRecord check, string resultsPath) => check.ResultsSha256 != Sha256Of(resultsPath);

    /// <summary>The figures under reports/&lt;profile&gt;/ whose check.yaml did not judge their current results.yaml.</summary>
    public static IReadOnlyList<string> StaleChecks(string repoRoot, string profile) =>
        FigureCatalog.Names.Where(name =>
        {
            var dir = Path.Combine(ReportDirectory(repoRoot, profile), name);
            var (results, check) = (Path.Combine(dir, "results.yaml"), Path.Combine(dir, "check.yaml"));
            return File.Exists(results) && File.Exists(check) && IsStale(StrictYaml.LoadFile<BandCheckRecord>(check, "Rerun the figure."), results);
        }).ToList();

    public static BandCheckRecord CheckBands(IFigure figure, string repoRoot, FigureResults results)
    {
        var expectedPath = ExpectedResults.PathFor(repoRoot, results.Profile, figure.Name);
        var receivedPath = ExpectedResults.ReceivedPathFor(repoRoot, results.Profile, figure.Name);
        var current = File.Exists(expectedPath) ? ExpectedResults.Load(expectedPath) : null;
        var p = results.Provenance;
        var received = BandCheck.Received(figure.Name, results.Profile, results.Values, current, figure.DefaultAbsTol,
            $"a run with seed {p.Seed} on {p.Device}, commit {p.GitCommit[..Math.Min(12, p.GitCommit.Length)]}, {p.StartedUtc}");
        StrictYaml.SaveAtomically(receivedPath, received);
        return new BandCheckRecord
        {
            ExpectedFile = Path.GetRelativePath(repoRoot, expectedPath),
            ReceivedFile = Path.GetRelativePath(repoRoot, receivedPath),
            ExpectedMissing = current == null,
            Checked = current?.Values.Count ?? 0,
            Violations = current == null ? [] : BandCheck.Compare(current, results.Values).Select(v => v.ToString()).ToList(),
        };
    }

    /// <summary>Promotes received files to expected ones; returns the files accepted.</summary>
    public static IReadOnlyList<string> Accept(string repoRoot, string profile, IEnumerable<string> figures)
    {
        var accepted = new List<string>();
        foreach (var name in figures)
        {
            var received = ExpectedResults.ReceivedPathFor(repoRoot, profile, name);
            if (!File.Exists(received)) continue;
            ExpectedResults.Load(received);
            File.Move(received, ExpectedResults.PathFor(repoRoot, profile, name), overwrite: true);
            accepted.Add(ExpectedResults.PathFor(repoRoot, profile, name));
        }
        return accepted;
    }
}
