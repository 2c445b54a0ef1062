using System.Diagnostics;
using System.Globalization;
using Repro.Config;

namespace Repro.Scheduling;

/// <summary>The Slurm job ids of one submission, as jobs.yaml records them.</summary>
public sealed class SlurmJobs
{
    public string Profile { get; set; } = "";
    public List<int> Seeds { get; set; } = [];
    /// <summary>UTC, ISO 8601.</summary>
    public string Submitted { get; set; } = "";
    public string? Train { get; set; }
    public string? Measure { get; set; }
    public string? Report { get; set; }
}

/// <summary>
/// Writes a plan's sbatch scripts to &lt;reports&gt;/&lt;profile&gt;/slurm/ and submits them as a chain: the train array,
/// the measure array after it (afterok), the report job after that; jobs.yaml records the ids.
/// </summary>
public static class SlurmSubmitter
{
    public const string JobsFile = "jobs.yaml";

    /// <summary>
    /// Writes the scripts and, unless <paramref name="dryRun"/>, submits them with the sbatch found on
    /// <paramref name="searchPath"/> (null: $PATH). Returns the jobs submitted (null for a dry run).
    /// </summary>
    public static SlurmJobs? Submit(SubmissionPlan plan, SlurmScripts scripts, bool dryRun, Action<string> log, string? searchPath = null)
    {
        // Slurm does not create the folder of --output: without it a task fails before its first line.
        Directory.CreateDirectory(plan.LogFolder);
        var kinds = Enum.GetValues<TaskKind>();
        foreach (var kind in kinds)
            AtomicFile.WriteAllText(ScriptPath(plan, kind), scripts.For(kind));
        log($"wrote {string.Join(", ", kinds.Select(SlurmScripts.FileName))} to {plan.SlurmFolder} " +
            $"({plan.Train.Count} train, {plan.Measure.Count} measure task(s), {plan.Report.Count} report(s); seeds {string.Join(", ", plan.Seeds)})");
        if (dryRun)
        {
            log($"dry run: nothing submitted. By hand: cd {plan.SlurmFolder} && sbatch train.sbatch, then sbatch --dependency=afterok:<train id> measure.sbatch, " +
                "then sbatch --dependency=afterok:<measure id> report.sbatch");
            return null;
        }

        var sbatch = FindOnPath("sbatch", searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "")
            ?? throw new EnvironmentException("sbatch is not on PATH: run repro submit on a Slurm login node (or install Slurm's client tools), " +
                                              "or pass --dry-run to write the scripts only, or --scheduler local to run the tasks on this machine");
        var jobs = new SlurmJobs { Profile = plan.Profile.Name, Seeds = [.. plan.Seeds], Submitted = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture) };
        string? previous = null;
        foreach (var kind in kinds)
        {
            var id = Sbatch(sbatch, plan, kind, previous, jobs);
            switch (kind)
            {
                case TaskKind.Train: jobs.Train = id; break;
                case TaskKind.Measure: jobs.Measure = id; break;
                default: jobs.Report = id; break;
            }
            // Recorded after each job, so that a failure later in the chain leaves the queued ones named.
            StrictYaml.SaveAtomically(Path.Combine(plan.SlurmFolder, JobsFile), jobs);
            log($"submitted {SlurmScripts.FileName(kind)}: job {id}{(previous is null ? "" : $" (after job {previous} succeeds)")}");
            previous = id;
        }
        log($"follow them: repro status --profile {plan.Profile.Name} --cache-dir {SlurmScripts.Sh(plan.CacheRoot)} (each trajectory's progress), " +
            $"squeue -j {jobs.Train},{jobs.Measure},{jobs.Report}; logs in {plan.LogFolder}; ids in {Path.Combine(plan.SlurmFolder, JobsFile)}");
        return jobs;
    }

    public static string ScriptPath(SubmissionPlan plan, TaskKind kind) => Path.Combine(plan.SlurmFolder, SlurmScripts.FileName(kind));

    /// <summary>Runs sbatch --parsable on one script, after <paramref name="after"/> when given; returns the job id.</summary>
    static string Sbatch(string sbatch, SubmissionPlan plan, TaskKind kind, string? after, SlurmJobs queued)
    {
        var start = new ProcessStartInfo(sbatch)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = plan.SlurmFolder,
        };
        start.ArgumentList.Add("--parsable");
        if (after != null) start.ArgumentList.Add($"--dependency=afterok:{after}");
        start.ArgumentList.Add(ScriptPath(plan, kind));
        var command = $"{sbatch} {string.Join(' ', start.ArgumentList)}";
        using var process = Process.Start(start) ?? throw new EnvironmentException($"could not start {command}");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var stillQueued = new[] { queued.Train, queued.Measure }.Where(id => id != null).ToList();
        var cancel = stillQueued.Count == 0 ? "" : $" Already queued: job(s) {string.Join(", ", stillQueued)} (scancel them, or submit the rest by hand)";
        if (process.ExitCode != 0)
            throw new EnvironmentException($"{command} failed with exit code {process.ExitCode}: {errors.Result.Trim()}.{cancel}");
        // --parsable prints "<id>" or "<id>;<cluster>".
        var id = output.Trim().Split('\n')[^1].Split(';')[0].Trim();
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            throw new EnvironmentException($"{command} printed '{output.Trim()}', not a job id.{cancel}");
        return id;
    }

    /// <summary>The first executable file named <paramref name="name"/> in the folders of <paramref name="searchPath"/>.</summary>
    static string? FindOnPath(string name, string searchPath) => searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, name))
        .FirstOrDefault(path => File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0));
}
