using System.Diagnostics;
using Repro.Config;
using Repro.Results;
using Repro.Training;

namespace Repro.Figures;

public sealed class BandCheckRecord
{
    public string ExpectedFile { get; set; } = "";
    public string ReceivedFile { get; set; } = "";
    public bool ExpectedMissing { get; set; }
    /// <summary>Values the expected file lists (those not comparable across machines included).</summary>
    public int Checked { get; set; }
    /// <summary>False when the expected values come from another machine: the cross-machine tolerances applied.</summary>
    public bool MachineMatches { get; set; } = true;
    /// <summary>Values not compared: on another machine, those whose seed spread leaves no cross-machine tolerance.</summary>
    public int NotComparable { get; set; }
    /// <summary>This run's machine and convolution kernels, and those the expected values were measured with.</summary>
    public string Machine { get; set; } = "";
    public string ExpectedMachine { get; set; } = "";
    public List<string> Violations { get; set; } = [];
    /// <summary>
    /// The seed of the expected values when this run trained another (a submission's extra seeds): nothing is compared,
    /// since a regression check holds a seed's own values; null when the seeds match.
    /// </summary>
    public int? ExpectedSeed { get; set; }
    /// <summary>The content hash of the results.yaml this check judged; a different one there means the check is stale.</summary>
    public string ResultsHash { get; set; } = "";
    [YamlDotNet.Serialization.YamlIgnore]
    public bool Passed => !ExpectedMissing && Violations.Count == 0;
}

public sealed record FigureRunOutcome(FigureResults Results, BandCheckRecord Check, PlotFiles Plots);

/// <summary>
/// The stages of a figure, each reading the files the one before wrote in reports/&lt;profile&gt;/&lt;figure&gt;/:
/// <see cref="Measure"/> empties the folder and writes results.yaml (plus the artefacts it names), <see cref="Check"/>
/// compares results.yaml with expected-results/ (check.yaml, received.yaml), <see cref="Plot"/> draws from results.yaml
/// alone (plots.yaml lists what it drew), and <see cref="Report.HtmlReport"/> shows what those files list.
/// </summary>
public static class FigureRunner
{
    public const string ResultsFile = "results.yaml";
    public const string CheckFile = "check.yaml";
    public const string ReceivedFile = "received.yaml";
    public const string PlotsFile = "plots.yaml";

    /// <summary>reports/&lt;profile&gt;/ under <paramref name="reportsRoot"/> (by default &lt;repo&gt;/reports).</summary>
    public static string ReportDirectory(string reportsRoot, string profile) => Path.Combine(reportsRoot, profile);

    public static string FigureDirectory(string reportsRoot, string profile, string figure) => Path.Combine(reportsRoot, profile, figure);

    /// <summary>Measure, check and plot one figure; the report is the caller's last step, once every figure is done.</summary>
    public static FigureRunOutcome Run(IFigure figure, RunContext context)
    {
        var profile = context.Profile;
        context.Log($"== figure '{figure.Name}' on profile '{profile.Name}' ({context.DeviceDescription})");
        // A broken expected-results file is reported before hours of measurement, not after.
        var expectedPath = ExpectedResults.PathFor(context.RepoRoot, ExpectedFolder(context), figure.Name);
        if (File.Exists(expectedPath)) ExpectedResults.Load(expectedPath);
        var dir = FigureDirectory(context.ReportsRoot, profile.Name, figure.Name);
        var results = Measure(figure, context);
        var check = Check(figure, context.RepoRoot, ExpectedFolder(context), dir);
        var plots = Plot(figure, dir);

        if (results.SkippedInputs.Count > 0)
            context.Log($"  {results.SkippedInputs.Count} input files skipped (listed in {Path.Combine(dir, ResultsFile)}), e.g. {results.SkippedInputs[0]}");
        foreach (var claim in results.Claims)
            context.Log($"  claim {claim.Verdict.InWords().ToUpperInvariant()}: {claim.Claim} — {claim.Evidence}");
        var accept = $"dotnet build -t:AcceptResults -p:Profile={profile.Name}{ThreadsProperty(context)}";
        if (!check.ExpectedMissing && !check.MachineMatches)
            context.Log($"  the expected values come from another machine ({check.ExpectedMachine}; this run: {check.Machine}), so the check uses " +
                        $"the cross-machine tolerance and {check.NotComparable} values are not compared");
        if (check.ExpectedSeed is { } expectedSeed)
            context.Log($"  not compared with {check.ExpectedFile}: its values are seed {expectedSeed}'s, this run trained seed {profile.Seed} " +
                        $"(this run's values are in {check.ReceivedFile})");
        else if (check.ExpectedMissing)
            context.Log($"  no expected results at {check.ExpectedFile}; review {check.ReceivedFile} and accept it with '{accept}'");
        else if (check.Violations.Count == 0)
            context.Log($"  all {check.Checked - check.NotComparable} {(check.NotComparable > 0 ? "compared " : "")}values within their bands ({check.ExpectedFile})");
        else
        {
            context.Log($"  {check.Violations.Count} of {check.Checked} values outside their bands ({check.ExpectedFile}):");
            foreach (var v in check.Violations) context.Log($"    {v}");
            context.Log($"  this run's values are in {check.ReceivedFile}; if the change is intended, accept them with '{accept}'");
        }
        return new FigureRunOutcome(results, check, plots);
    }

    /// <summary>
    /// The measure stage: empties the figure's folder (nothing of an earlier run survives into this one's plots or
    /// report), runs the figure, and writes results.yaml with provenance, deviations and the artefacts it wrote.
    /// </summary>
    public static FigureResults Measure(IFigure figure, RunContext context)
    {
        var wall = Stopwatch.StartNew();
        var profile = context.Profile;
        var dir = FigureDirectory(context.ReportsRoot, profile.Name, figure.Name);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        var folder = FigureFolder.ForMeasurement(dir);
        // the profile's TF32 choice is set before provenance records the switches, not first when a model reaches the device
        Torch.TorchRuntime.ApplyTf32(context.Device, profile.Performance.Tf32);
        var provenance = Provenance.Capture(profile, context.RepoRoot, context.DeviceDescription, context.Data.Root, context.CpuThreads, context.Convolutions);
        provenance.ImportedTrajectory = ImportedTrajectory(context);
        var measured = figure.Measure(context, folder);
        provenance.WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 1);
        var paper = Deviations.PaperFor(profile, context.RepoRoot);
        var results = new FigureResults
        {
            Figure = figure.Name, Title = figure.Title, Profile = profile.Name, Provenance = provenance,
            Values = measured.Values, Claims = measured.Claims, Observations = measured.Observations, Anchors = measured.Anchors,
            ProfileDeviations = [.. Deviations.Describe(profile, paper), .. ImportDeviations(context)],
            Deviations = [.. figure.Deviations(profile, paper)],
            Artefacts = [.. folder.Artefacts],
            SkippedInputs = [.. measured.SkippedInputs ?? []],
        };
        ContentHash.SaveYaml(Path.Combine(dir, ResultsFile), results);
        return results;
    }

    /// <summary>The imported folder and each checkpoint's SHA-256, for provenance; null when the run trains its own.</summary>
    static ImportedTrajectory? ImportedTrajectory(RunContext context) => context.TrajectoryDir is not { } dir ? null : new ImportedTrajectory
    {
        Dir = dir,
        Files = context.Profile.Models.SelectMany(model => new Trajectory(context, model).ImportFiles.Select(f => new ImportedCheckpoint
        {
            Model = model.Key, Iteration = f.Iteration, File = f.Path, Sha256 = Interop.PyTorchTrajectory.Sha256(f.Path),
        })).ToList(),
    };

    /// <summary>What computing the figures from imported checkpoints changes against the paper's protocol.</summary>
    public static IEnumerable<string> ImportDeviations(RunContext context)
    {
        if (context.TrajectoryDir is not { } dir) yield break;
        yield return $"checkpoints imported from {dir} (one PyTorch checkpoint per pruning iteration; each file's SHA-256 in the provenance), " +
                     "not trained by this run: their training and pruning are whatever wrote them, the profile's schedule and pruning rate " +
                     "describe nothing that ran, and the sparsity is measured from the files' masks";
        if (context.Profile.Pruning.Control)
            yield return $"{Trajectory.NoControlFromImport}: the claims are judged against the dense model alone";
    }

    /// <summary>Loads a figure's results.yaml, saying how to get it back when it is missing or damaged.</summary>
    public static FigureResults LoadResults(string figureDirectory)
    {
        var path = Path.Combine(figureDirectory, ResultsFile);
        var profile = Path.GetFileName(Path.GetDirectoryName(figureDirectory));
        var rerun = $"Rerun the figure (dotnet build -t:Reproduce -p:Profile={profile} -p:Figures={Path.GetFileName(figureDirectory)}).";
        if (!File.Exists(path)) throw new ConfigException($"{path} does not exist: the figure has not been measured. {rerun}");
        return ContentHash.LoadYaml<FigureResults>(path, rerun);
    }

    /// <summary>
    /// The check stage: this figure's results.yaml against expected-results/&lt;folder&gt;/&lt;figure&gt;.yaml. Writes
    /// check.yaml (the verdict, tied to the results' content hash) and received.yaml (this run's values as an
    /// expected-results file, for <see cref="Accept"/>).
    /// </summary>
    /// <param name="expectedFolder">The profile's folder under expected-results/ for this run's thread count (<see cref="ExpectedResults.Folder"/>).</param>
    public static BandCheckRecord Check(IFigure figure, string repoRoot, string expectedFolder, string figureDirectory)
    {
        var results = LoadResults(figureDirectory);
        var check = CheckBands(figure, repoRoot, expectedFolder, results, Path.Combine(figureDirectory, ReceivedFile));
        check.ResultsHash = ContentHash.StoredYamlHash(Path.Combine(figureDirectory, ResultsFile)) ?? "";
        ContentHash.SaveYaml(Path.Combine(figureDirectory, CheckFile), check);
        return check;
    }

    /// <summary>
    /// The plot stage: draws from results.yaml and the artefacts it names only. Plots an earlier run left at the top of
    /// the folder are deleted first; plots.yaml lists what was drawn, and only that reaches the report.
    /// </summary>
    public static PlotFiles Plot(IFigure figure, string figureDirectory)
    {
        var results = LoadResults(figureDirectory);
        foreach (var old in Directory.EnumerateFiles(figureDirectory).Where(f => Path.GetExtension(f) is ".png" or ".svg").ToList())
            File.Delete(old);
        var drawn = figure.Plot(results, FigureFolder.ForPlot(figureDirectory, results.Artefacts));
        var plots = new PlotFiles
        {
            ResultsHash = ContentHash.StoredYamlHash(Path.Combine(figureDirectory, ResultsFile)) ?? "",
            Plots = drawn.Select(png => new PlotFile
            {
                Png = png,
                Svg = File.Exists(Path.Combine(figureDirectory, Path.ChangeExtension(png, ".svg"))) ? Path.ChangeExtension(png, ".svg") : null,
            }).ToList(),
        };
        foreach (var p in plots.Plots.Where(p => !File.Exists(Path.Combine(figureDirectory, p.Png))))
            throw new InvalidOperationException($"figure '{figure.Name}' returned the plot '{p.Png}' but did not write it in {figureDirectory}");
        ContentHash.SaveYaml(Path.Combine(figureDirectory, PlotsFile), plots);
        return plots;
    }

    /// <summary>Redraws every listed figure of a profile that has results; returns the figures drawn.</summary>
    public static IReadOnlyList<string> PlotAll(string reportsRoot, string profile, IEnumerable<IFigure> figures, Action<string> log)
    {
        var drawn = new List<string>();
        foreach (var figure in figures)
        {
            var dir = FigureDirectory(reportsRoot, profile, figure.Name);
            if (!File.Exists(Path.Combine(dir, ResultsFile))) { log($"  {figure.Name}: no {ResultsFile} in {dir}, not measured yet"); continue; }
            var plots = Plot(figure, dir);
            log($"  {figure.Name}: {plots.Plots.Count} plot(s) from {Path.Combine(dir, ResultsFile)}");
            drawn.Add(figure.Name);
        }
        return drawn;
    }

    /// <summary>Whether <paramref name="check"/> judged other values than those now in <paramref name="resultsPath"/> (e.g. a run killed between the two files).</summary>
    public static bool IsStale(BandCheckRecord check, string resultsPath) => check.ResultsHash != ContentHash.StoredYamlHash(resultsPath);

    /// <summary>
    /// Fails before any training on what would otherwise fail after it: each figure's inputs (<see cref="IFigure.Preflight"/>),
    /// the writability of reports/&lt;profile&gt;/, expected-results/&lt;profile&gt;/ and the cache (a file is created and
    /// deleted in each), and the free space under the cache against <see cref="EstimateDisk"/>. Every problem is listed
    /// at once: missing or bad inputs as a <see cref="ConfigException"/>, the environment as an <see cref="EnvironmentException"/>.
    /// </summary>
    /// <param name="freeBytes">Free bytes of the volume holding a folder (the volume's own figure unless a test stands in).</param>
    public static void Preflight(IReadOnlyList<IFigure> figures, RunContext context, Func<string, long>? freeBytes = null)
    {
        var profile = context.Profile.Name;
        var inputs = new List<string>();
        foreach (var figure in figures) figure.Preflight(context, inputs);
        var importProblems = 0;
        if (context.TrajectoryDir != null)
            foreach (var model in context.Profile.Models)
                try { _ = new Trajectory(context, model).ImportFiles; }
                catch (ConfigException e) { inputs.Add(e.Message); importProblems++; }
        var environment = new List<string>();
        foreach (var (dir, what) in new[]
                 {
                     (ReportDirectory(context.ReportsRoot, profile), "the report folder (--reports-dir)"),
                     (context.CacheRoot, "the cache of data and checkpoints (--cache-dir)"),
                 })
            if (NotWritable(dir, what) is { } problem) environment.Add(problem);
        // the imported stores are named by their files, which are not all there
        var estimate = importProblems == 0 ? EstimateDisk(figures, context) : new DiskEstimate(0, 0, 0, "not estimated: the trajectory folder is incomplete");
        long? free = Directory.Exists(context.CacheRoot) ? (freeBytes ?? (d => new DriveInfo(d).AvailableFreeSpace))(context.CacheRoot) : null;
        if (free < estimate.Bytes)
            environment.Add($"{context.CacheRoot}: {Gib(free.Value)} free, but this run will write about {Gib(estimate.Bytes)} ({estimate.Detail}); " +
                            "free space there or point --cache-dir (-p:CacheDir) at a larger volume");
        if (inputs.Count + environment.Count > 0)
        {
            var message = $"profile '{profile}': {inputs.Count + environment.Count} problem(s) found before training:\n  " + string.Join("\n  ", inputs.Concat(environment));
            throw inputs.Count > 0 ? new ConfigException(message) : new EnvironmentException(message);
        }
        context.Log($"preflight: the inputs of {string.Join(", ", figures.Select(f => f.Name))} are in place; reports/ and the cache are writable; " +
                    $"{(free is { } f ? Gib(f) : "?")} free for about {Gib(estimate.Bytes)} ({estimate.Detail})");
    }

    static string Gib(long bytes) => FormattableString.Invariant($"{bytes / 1073741824.0:F2} GiB");

    static string? NotWritable(string dir, string what)
    {
        try
        {
            Directory.CreateDirectory(dir);
            // named like an atomic write's temporary, so a probe left by a kill is cleaned at the next start
            var probe = Path.Combine(dir, $".write-probe.{AtomicFile.OwnerOf(Environment.ProcessId)}.tmp");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{dir} ({what}) is not writable: {e.Message}. Make it writable, or run from a writable checkout / with another --cache-dir";
        }
    }

    /// <summary>What a run will add to the cache: its missing checkpoints and the synthetic sets not yet generated.</summary>
    public sealed record DiskEstimate(long Bytes, long CheckpointBytes, long DataBytes, string Detail);

    /// <summary>
    /// Checkpoints: per model, its parameters and buffers as saved (4 bytes each for float32) plus one byte per
    /// prunable weight for its mask, times the iterations not yet cached. Generated sets: their raw pixel bytes, an
    /// upper bound of their PNG files.
    /// </summary>
    public static DiskEstimate EstimateDisk(IReadOnlyList<IFigure> figures, RunContext context)
    {
        var p = context.Profile;
        long checkpoints = 0, data = 0;
        var parts = new List<string>();
        // The control's iteration 0 is a copy of the pruned arm's, on disk all the same.
        foreach (var trajectory in p.Models.SelectMany(model => Trajectory.Arms(context, model)))
        {
            var missing = trajectory.Iterations - trajectory.Store.LastCompleted(trajectory.Iterations);
            if (missing == 0) continue;
            using var net = trajectory.NewModel();
            using var masks = Pruning.PruningMasks.Dense(net, p.Pruning.Layers);
            var perCheckpoint = net.parameters().Concat(net.buffers()).Sum(t => t.numel() * t.ElementSize) + masks.TotalCount;
            checkpoints += missing * perCheckpoint;
            parts.Add(FormattableString.Invariant($"checkpoints of {trajectory.SeriesKey}: {missing} × {perCheckpoint / 1048576.0:F1} MiB"));
        }
        if (p.Data.Scenes is { } scenes && figures.Any(f => f is InterpretabilityFigure or HeatmapsFigure or ObjectDiscoveryFigure)
            && Data.Synthetic.SyntheticScenes.Generated(context.CacheRoot, scenes, p.DataSeed) == null)
            data += (long)scenes.Count * scenes.MaxSide * scenes.MaxSide * 4; // RGB image and label mask
        if (p.Alignment is { Source: AlignmentSource.Synthetic } a && p.Data.Synthetic is { } synthetic && figures.Any(f => f is IAlignmentFigure)
            && Data.Synthetic.SyntheticModelVsHuman.Generated(context.CacheRoot, synthetic, a) == null)
            data += a.Datasets.Sum(name =>
            {
                var info = Data.ModelVsHuman.ModelVsHumanDatasets.Get(name);
                long images = synthetic.Classes * (info.Parametric ? info.Conditions.Count * (a.ParametricImagesPerClass ?? 0) : a.NonParametricImagesPerClass ?? 0);
                return images * synthetic.ImageSize * synthetic.ImageSize * 3;
            });
        if (data > 0) parts.Add(FormattableString.Invariant($"generated data {data / 1048576.0:F1} MiB"));
        return new DiskEstimate(checkpoints + data, checkpoints, data, parts.Count == 0 ? "everything cached" : string.Join(", ", parts));
    }

    /// <summary>The figures under reports/&lt;profile&gt;/ whose check.yaml did not judge their current results.yaml.</summary>
    public static IReadOnlyList<string> StaleChecks(string reportsRoot, string profile) =>
        FigureCatalog.Names.Where(name =>
        {
            var dir = FigureDirectory(reportsRoot, profile, name);
            var (results, check) = (Path.Combine(dir, ResultsFile), Path.Combine(dir, CheckFile));
            return File.Exists(results) && File.Exists(check) && IsStale(ContentHash.LoadYaml<BandCheckRecord>(check, "Delete it and rerun the figure."), results);
        }).ToList();

    /// <summary>
    /// The profile's folder under expected-results/ for this run's thread count (<see cref="ExpectedResults.Folder"/>);
    /// for imported checkpoints a sub-folder imported-&lt;hash of the files&gt;/, so that accepting their numbers never
    /// replaces the trained profile's, and other checkpoints are never checked against them. Where expected values were
    /// also derived on this run's machine (CPU and convolution kernels), its sub-folder machines/&lt;machine&gt;/.
    /// </summary>
    public static string ExpectedFolder(RunContext context)
    {
        var folder = ExpectedResults.Folder(context.Profile, context.CpuThreads);
        var machine = MachineFolder(folder, context);
        if (context.TrajectoryDir == null && Directory.Exists(Path.Combine(context.RepoRoot, "expected-results", machine))) return machine;
        if (ImportedTrajectory(context) is not { } imported) return folder;
        var files = string.Join("\n", imported.Files.Select(f => $"{f.Model} {f.Iteration} {f.Sha256}"));
        return Path.Combine(folder, "imported-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(files)))[..10]);
    }

    /// <summary>
    /// &lt;folder&gt;/machines/&lt;machine&gt;/: the expected values of another machine than the one that derived the
    /// folder's own. CPU numbers differ between CPUs (vector widths change the rounding, and training carries it on), so a
    /// machine that runs the suite every day gets the tight same-machine check instead of the cross-machine tolerance.
    /// </summary>
    public static string MachineFolder(string folder, RunContext context) =>
        Path.Combine(folder, "machines", MachineSlug(MachineFingerprint.Current(), context.CpuConvolutions ?? context.Device.type.ToString()));

    /// <summary>The machines/ folder name of a CPU and its convolution kernels, e.g. authenticamd-family-25-model-1-avx2-onednn-convolutions.</summary>
    public static string MachineSlug(string machine, string convolutions) =>
        System.Text.RegularExpressions.Regex.Replace(BandCheck.DescribeMachine(machine, convolutions).ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');

    static string ThreadsProperty(RunContext context) =>
        ExpectedResults.Folder(context.Profile, context.CpuThreads) == context.Profile.Name ? "" : $" -p:Threads={context.Threads}";

    static BandCheckRecord CheckBands(IFigure figure, string repoRoot, string expectedFolder, FigureResults results, string receivedPath)
    {
        var expectedPath = ExpectedResults.PathFor(repoRoot, expectedFolder, figure.Name);
        var current = File.Exists(expectedPath) ? ExpectedResults.Load(expectedPath) : null;
        var p = results.Provenance;
        var received = BandCheck.Received(figure.Name, results.Profile, results.Values, current, figure.DefaultAbsTol, p,
            $"a run with seed {p.Seed} on {p.Device}, commit {p.GitCommit[..Math.Min(12, p.GitCommit.Length)]}, {p.StartedUtc}");
        StrictYaml.SaveAtomically(receivedPath, received);
        if (current != null && current.Seed != p.Seed)
            return new BandCheckRecord
            {
                ExpectedFile = Path.GetRelativePath(repoRoot, expectedPath),
                ReceivedFile = receivedPath,
                ExpectedSeed = current.Seed,
                Machine = BandCheck.DescribeMachine(p.Machine, p.Convolutions),
                ExpectedMachine = BandCheck.DescribeMachine(current.Machine, current.Convolutions),
            };
        var comparison = current == null ? null : BandCheck.Compare(current, results.Values, p);
        var violations = comparison?.Violations.Select(v => v.ToString()).ToList() ?? [];
        if (current?.Threads is { } expectedThreads && p.Threads is { } threads && expectedThreads != threads)
            violations.Insert(0, $"{Path.GetRelativePath(repoRoot, expectedPath)} holds values measured on {expectedThreads} CPU threads, " +
                $"but this run used {threads}; CPU numbers depend on the thread count. Rerun with --threads {expectedThreads} " +
                $"(-p:Threads={expectedThreads}), or pin performance.threads in the profile so each count gets its own expected files.");
        return new BandCheckRecord
        {
            ExpectedFile = Path.GetRelativePath(repoRoot, expectedPath),
            ReceivedFile = receivedPath,
            ExpectedMissing = current == null,
            Checked = current?.Values.Count ?? 0,
            MachineMatches = comparison?.MachineMatches ?? true,
            NotComparable = comparison?.NotComparable ?? 0,
            Machine = BandCheck.DescribeMachine(p.Machine, p.Convolutions),
            ExpectedMachine = current == null ? "" : BandCheck.DescribeMachine(current.Machine, current.Convolutions),
            Violations = violations,
        };
    }

    /// <summary>
    /// Promotes each figure's received.yaml (reports/&lt;profile&gt;/&lt;figure&gt;/) to the expected-results file its
    /// check.yaml compared with; returns the files accepted.
    /// </summary>
    public static IReadOnlyList<string> Accept(string repoRoot, string reportsRoot, string profile, IEnumerable<string> figures)
    {
        var accepted = new List<string>();
        foreach (var name in figures)
        {
            var dir = FigureDirectory(reportsRoot, profile, name);
            var (received, checkPath) = (Path.Combine(dir, ReceivedFile), Path.Combine(dir, CheckFile));
            if (!File.Exists(received) || !File.Exists(checkPath)) continue;
            var check = ContentHash.LoadYaml<BandCheckRecord>(checkPath, "Delete it and rerun the figure.");
            if (IsStale(check, Path.Combine(dir, ResultsFile)))
                throw new ConfigException($"{checkPath} judged other values than {Path.Combine(dir, ResultsFile)} holds (an interrupted run); rerun the figure before accepting.");
            var values = ExpectedResults.Load(received);
            var target = Path.Combine(repoRoot, check.ExpectedFile);
            // Another machine's values stay; this machine's go into their machines/ folder (MachineFolder).
            if (File.Exists(target) && !BandCheck.SameMachine(ExpectedResults.Load(target), values))
                target = Path.Combine(Path.GetDirectoryName(target)!, "machines", MachineSlug(values.Machine, values.Convolutions), Path.GetFileName(target));
            AtomicFile.Write(target, tmp => File.Copy(received, tmp));
            accepted.Add(target);
        }
        return accepted;
    }
}
