using System.Globalization;
using Repro.Config;

namespace Repro.Scheduling;

/// <summary>The three kinds of task of a submission, in the order they run.</summary>
public enum TaskKind { Train, Measure, Report }

/// <summary>
/// One repro run of a submission: its kind (the repro command), its name (for logs), the options that differ from task
/// to task (<paramref name="Own"/>) and those every task of its kind passes (<paramref name="Shared"/>).
/// </summary>
public sealed record SubmissionTask(TaskKind Kind, string Name, IReadOnlyList<(string Option, string Value)> Own, IReadOnlyList<string> Shared)
{
    /// <summary>The repro command: train, measure or report.</summary>
    public string Command => Kind.ToString().ToLowerInvariant();

    /// <summary>The task's exact repro argument list, the command first.</summary>
    public IReadOnlyList<string> Arguments => [Command, .. Own.SelectMany(o => new[] { o.Option, o.Value }), .. Shared];
}

/// <summary>What the user chose for a submission; null: the profile's or the suite's default.</summary>
public sealed record SubmissionOptions
{
    public required string RepoRoot { get; init; }
    /// <summary>--seeds; null: the profile's <see cref="Profile.SubmissionSeeds"/>.</summary>
    public IReadOnlyList<int>? Seeds { get; init; }
    /// <summary>--figures by name; null: the profile's list.</summary>
    public IReadOnlyList<string>? Figures { get; init; }
    /// <summary>--cache-dir; null: &lt;repo&gt;/.cache.</summary>
    public string? CacheDir { get; init; }
    /// <summary>--reports-dir; null: &lt;repo&gt;/reports.</summary>
    public string? ReportsDir { get; init; }
    public int? Threads { get; init; }
    public DeviceChoice? Device { get; init; }
    public string? DataRoot { get; init; }
    public OneDnnMode? OneDnn { get; init; }
}

/// <summary>
/// A profile's run split into separate repro processes: one train task per (model, seed) trajectory (both arms), one
/// measure task per (figure, seed), one report per seed. Slurm job arrays (<see cref="SlurmScripts"/>) and the local
/// runner (<see cref="LocalRunner"/>) run the same tasks. Every path in the tasks is absolute, since they run elsewhere.
/// </summary>
public sealed class SubmissionPlan
{
    public Profile Profile { get; }
    public IReadOnlyList<int> Seeds { get; }
    /// <summary>Where <see cref="Seeds"/> come from: --seeds, scheduler.seeds or the profile's seed.</summary>
    public string SeedsFrom { get; }
    public IReadOnlyList<string> Figures { get; }
    public string RepoRoot { get; }
    public string CacheRoot { get; }
    /// <summary>The reports root of the profile's own seed; other seeds go below it (<see cref="ReportsRootFor"/>).</summary>
    public string ReportsRoot { get; }
    /// <summary>The device the tasks run on: --device, else the profile's.</summary>
    public DeviceChoice Device { get; }
    public IReadOnlyList<SubmissionTask> Train { get; }
    public IReadOnlyList<SubmissionTask> Measure { get; }
    public IReadOnlyList<SubmissionTask> Report { get; }

    /// <summary>Where the scripts, jobs.yaml and the logs go: &lt;reports&gt;/&lt;profile&gt;/slurm/.</summary>
    public string SlurmFolder => Path.Combine(ReportsRoot, Profile.Name, "slurm");
    public string LogFolder => Path.Combine(SlurmFolder, "logs");

    public SubmissionPlan(Profile profile, SubmissionOptions options)
    {
        Profile = profile;
        Seeds = options.Seeds is { Count: > 0 } seeds ? seeds : profile.SubmissionSeeds;
        SeedsFrom = options.Seeds is { Count: > 0 } ? "--seeds" : profile.Scheduler.Seeds is { Count: > 0 } ? "scheduler.seeds" : "the profile's seed";
        var allFigures = options.Figures is null or { Count: 0 };
        Figures = allFigures ? profile.Figures : options.Figures!;
        RepoRoot = Path.GetFullPath(options.RepoRoot);
        CacheRoot = Path.GetFullPath(options.CacheDir is { Length: > 0 } cache ? cache : Path.Combine(RepoRoot, ".cache"));
        ReportsRoot = Path.GetFullPath(options.ReportsDir is { Length: > 0 } reports ? reports : Path.Combine(RepoRoot, "reports"));
        Device = options.Device ?? profile.Device;

        List<string> common = ["--profile", profile.Name, "--repo-root", RepoRoot, "--cache-dir", CacheRoot];
        var run = new List<string>(common);
        if (options.Device is { } device) run.AddRange(["--device", device.ToString().ToLowerInvariant()]);
        if (options.DataRoot is { Length: > 0 } dataRoot) run.AddRange(["--data-root", Path.GetFullPath(dataRoot)]);
        // Only the thread count the user gave: CPU numbers and the checkpoint fingerprint depend on it, so the tasks must
        // not pick one from their allocation; without --threads the profile's performance.threads applies as in any run.
        if (options.Threads is { } threads) run.AddRange(["--threads", threads.ToString(CultureInfo.InvariantCulture)]);
        if (options.OneDnn is { } onednn) run.AddRange(["--onednn", onednn.ToString().ToLowerInvariant()]);

        Train = [.. profile.Models.SelectMany(m => Seeds.Select(seed =>
            new SubmissionTask(TaskKind.Train, $"train-{m.Key}-seed{seed}", [("--model", m.Key), ("--seed", Text(seed))], run)))];
        // A figure's results file covers every model of the profile, so a measure task is one figure for one seed, not
        // split by model.
        Measure = [.. Figures.SelectMany(f => Seeds.Select(seed => new SubmissionTask(TaskKind.Measure, $"measure-{f}-seed{seed}",
            [("--figures", f), ("--seed", Text(seed)), ("--reports-dir", ReportsRootFor(ReportsRoot, profile, seed))], run)))];
        List<string> report = allFigures ? common : [.. common, "--figures", string.Join(',', Figures)];
        Report = [.. Seeds.Select(seed =>
            new SubmissionTask(TaskKind.Report, $"report-seed{seed}", [("--reports-dir", ReportsRootFor(ReportsRoot, profile, seed))], report))];
    }

    /// <summary>The tasks of <paramref name="kind"/>.</summary>
    public IReadOnlyList<SubmissionTask> Tasks(TaskKind kind) => kind switch
    {
        TaskKind.Train => Train,
        TaskKind.Measure => Measure,
        _ => Report,
    };

    /// <summary>
    /// The reports root of one seed's results: the profile's own seed writes under <paramref name="reportsRoot"/>, as a
    /// plain run does; another seed under &lt;reportsRoot&gt;/seed-&lt;seed&gt;/ (seed 2 of ci: reports/seed-2/ci/index.html).
    /// </summary>
    public static string ReportsRootFor(string reportsRoot, Profile profile, int seed) =>
        seed == profile.Seed ? reportsRoot : Path.Combine(reportsRoot, $"seed-{Text(seed)}");

    /// <summary>Seeds written as --seeds takes them, "1,2,3": each a whole number, each once.</summary>
    public static IReadOnlyList<int> ParseSeeds(string text, string option)
    {
        var seeds = text.Split(',', StringSplitOptions.TrimEntries).Select(t => int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed)
            ? seed : throw new ConfigException($"{option} names '{t}'; pass whole numbers separated by commas, e.g. 1,2,3")).ToList();
        if (seeds.Distinct().Count() != seeds.Count) throw new ConfigException($"{option} is '{text}'; name each seed once");
        return seeds;
    }

    /// <summary>
    /// The command line of the repro CLI running now, absolute, for the tasks to run the same build: the apphost alone, or
    /// the dotnet host with repro.dll (the host this process runs on: dotnet test names it in DOTNET_HOST_PATH).
    /// </summary>
    public static IReadOnlyList<string> RunningCli()
    {
        var process = Environment.ProcessPath;
        if (process != null && Path.GetFileNameWithoutExtension(process) == "repro") return [process];
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } sdkHost ? sdkHost
            : process != null && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : "dotnet";
        return [host, Path.Combine(AppContext.BaseDirectory, "repro.dll")];
    }

    static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
