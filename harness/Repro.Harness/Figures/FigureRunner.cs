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
        var expectedFolder = ExpectedResults.Folder(profile, context.CpuThreads);
        var expectedPath = ExpectedResults.PathFor(context.RepoRoot, expectedFolder, figure.Name);
        if (File.Exists(expectedPath)) ExpectedResults.Load(expectedPath);
        var provenance = Provenance.Capture(profile, context.RepoRoot, context.DeviceDescription, context.Data.Root, context.CpuThreads);
        var measured = figure.Measure(context);
        provenance.WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 1);
        var results = new FigureResults
        {
            Figure = figure.Name, Title = figure.Title, Profile = profile.Name, Provenance = provenance,
            Values = measured.Values, Claims = measured.Claims,
            Deviations = Deviations.Describe(profile, context.RepoRoot),
        };
        var dir = Path.Combine(ReportDirectory(context.RepoRoot, profile.Name), figure.Name);
        ContentHash.SaveYaml(Path.Combine(dir, ResultsFile), results);

        var check = CheckBands(figure, context.RepoRoot, expectedFolder, results);
        ContentHash.SaveYaml(Path.Combine(dir, CheckFile), check);
        figure.Plot(results, dir);
        HtmlReport.Write(context.RepoRoot, profile.Name);

        foreach (var claim in results.Claims)
            context.Log($"  claim {(claim.Reproduced ? "REPRODUCED" : "not reproduced")}: {claim.Claim} — {claim.Evidence}");
        if (check.ExpectedMissing)
            context.Log($"  no expected results at {check.ExpectedFile}; review {check.ReceivedFile} and accept it with 'dotnet build -t:AcceptResults -p:Profile={profile.Name}{ThreadsProperty(context)}'");
        else if (check.Violations.Count == 0)
            context.Log($"  all {check.Checked} values within their bands ({check.ExpectedFile})");
        else
        {
            context.Log($"  {check.Violations.Count} of {check.Checked} values outside their bands ({check.ExpectedFile}):");
            foreach (var v in check.Violations) context.Log($"    {v}");
            context.Log($"  this run's values are in {check.ReceivedFile}; if the change is intended, accept them with 'dotnet build -t:AcceptResults -p:Profile={profile.Name}{ThreadsProperty(context)}'");
        }
        return new FigureRunOutcome(results, check);
    }

    public const string ResultsFile = "results.yaml";
    public const string CheckFile = "check.yaml";

    static string ThreadsProperty(RunContext context) =>
        ExpectedResults.Folder(context.Profile, context.CpuThreads) == context.Profile.Name ? "" : $" -p:Threads={context.Threads}";

    /// <param name="expectedFolder">The profile's folder under expected-results/ for this run's thread count (<see cref="ExpectedResults.Folder"/>).</param>
    public static BandCheckRecord CheckBands(IFigure figure, string repoRoot, string expectedFolder, FigureResults results)
    {
        var expectedPath = ExpectedResults.PathFor(repoRoot, expectedFolder, figure.Name);
        var receivedPath = ExpectedResults.ReceivedPathFor(repoRoot, expectedFolder, figure.Name);
        var current = File.Exists(expectedPath) ? ExpectedResults.Load(expectedPath) : null;
        var p = results.Provenance;
        var received = BandCheck.Received(figure.Name, results.Profile, results.Values, current, figure.DefaultAbsTol,
            $"a run with seed {p.Seed} on {p.Device}, commit {p.GitCommit[..Math.Min(12, p.GitCommit.Length)]}, {p.StartedUtc}");
        received.Threads = p.Threads;
        StrictYaml.SaveAtomically(receivedPath, received);
        var violations = current == null ? [] : BandCheck.Compare(current, results.Values).Select(v => v.ToString()).ToList();
        if (current?.Threads is { } expectedThreads && p.Threads is { } threads && expectedThreads != threads)
            violations.Insert(0, $"{Path.GetRelativePath(repoRoot, expectedPath)} holds values measured on {expectedThreads} CPU threads, " +
                $"but this run used {threads}; CPU numbers depend on the thread count. Rerun with --threads {expectedThreads} " +
                $"(-p:Threads={expectedThreads}), or pin performance.threads in the profile so each count gets its own expected files.");
        return new BandCheckRecord
        {
            ExpectedFile = Path.GetRelativePath(repoRoot, expectedPath),
            ReceivedFile = Path.GetRelativePath(repoRoot, receivedPath),
            ExpectedMissing = current == null,
            Checked = current?.Values.Count ?? 0,
            Violations = violations,
        };
    }

    /// <summary>Promotes received files to expected ones; returns the files accepted.</summary>
    /// <param name="profile">The profile's folder under expected-results/ (<see cref="ExpectedResults.Folder"/>).</param>
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
