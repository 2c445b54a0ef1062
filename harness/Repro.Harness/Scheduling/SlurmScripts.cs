using System.Text;
using System.Text.RegularExpressions;
using Repro.Config;

namespace Repro.Scheduling;

/// <summary>
/// The sbatch scripts of a <see cref="SubmissionPlan"/>: a job array of the train tasks, one of the measure tasks, and
/// one job running the reports. Each #SBATCH line says which profile key (or option) it comes from.
/// </summary>
public sealed partial record SlurmScripts(string Train, string Measure, string Report)
{
    /// <summary>The file names the scripts are written under, in &lt;reports&gt;/&lt;profile&gt;/slurm/.</summary>
    public static string FileName(TaskKind kind) => $"{Name(kind)}.sbatch";

    public string For(TaskKind kind) => kind switch
    {
        TaskKind.Train => Train,
        TaskKind.Measure => Measure,
        _ => Report,
    };

    /// <param name="cli">The repro command line the tasks run (<see cref="SubmissionPlan.RunningCli"/>).</param>
    /// <param name="partition">--partition, over the profile's scheduler.partition.</param>
    /// <param name="account">--account, over the profile's scheduler.account.</param>
    public static SlurmScripts Render(SubmissionPlan plan, IReadOnlyList<string> cli, string? partition = null, string? account = null)
    {
        var s = plan.Profile.Scheduler;
        var chosen = new List<(string Directive, string Comment)>();
        if (Choose(partition, "--partition", s.Partition, "scheduler.partition") is var (p, pFrom)) chosen.Add(($"--partition={p}", pFrom));
        if (Choose(account, "--account", s.Account, "scheduler.account") is var (a, aFrom)) chosen.Add(($"--account={a}", aFrom));
        return new(Script(plan, TaskKind.Train, cli, chosen), Script(plan, TaskKind.Measure, cli, chosen), Script(plan, TaskKind.Report, cli, chosen));
    }

    static (string Value, string From)? Choose(string? option, string optionName, string? profile, string key)
    {
        var (value, from) = option is { Length: > 0 } ? (option, optionName) : (profile, key);
        if (string.IsNullOrEmpty(value)) return null;
        if (!SbatchWord().IsMatch(value))
            throw new ConfigException($"{from} is '{value}'; a Slurm name has no spaces, quotes or '#'");
        return (value, from);
    }

    static string Script(SubmissionPlan plan, TaskKind kind, IReadOnlyList<string> cli, IReadOnlyList<(string, string)> chosen)
    {
        var s = plan.Profile.Scheduler;
        var tasks = plan.Tasks(kind);
        var key = $"scheduler.{Name(kind)}";
        var resources = kind switch { TaskKind.Train => s.Train, TaskKind.Measure => s.Measure, _ => s.Report };
        var array = kind != TaskKind.Report;
        var profile = plan.Profile.Name;

        List<(string Directive, string Comment)> lines = [($"--job-name=repro-{profile}-{Name(kind)}", "repro-<profile>-<kind>")];
        if (array)
        {
            var what = kind == TaskKind.Train ? $"{plan.Profile.Models.Count} model(s)" : $"{plan.Figures.Count} figure(s)";
            var limit = s.MaxConcurrent is { } n ? $"%{n}" : "";
            lines.Add(($"--array=0-{tasks.Count - 1}{limit}", $"{tasks.Count} tasks: {what} x {plan.Seeds.Count} seed(s) ({plan.SeedsFrom})"
                + (s.MaxConcurrent is { } m ? $", at most {m} at once (scheduler.max_concurrent)" : "")));
        }
        lines.AddRange(chosen);
        lines.Add(("--ntasks=1", "one repro process per task"));
        if (resources.Gpus > 0) lines.Add(($"--gpus-per-task={resources.Gpus}", $"{key}.gpus"));
        lines.Add(($"--cpus-per-task={resources.Cpus}", $"{key}.cpus"));
        lines.Add(($"--mem={resources.Memory}", $"{key}.memory, per node"));
        lines.Add(($"--time={resources.Time}", $"{key}.time" + (array ? "; a task stopped at the limit is requeued and resumes" : "")));
        var log = Path.Combine(plan.LogFolder, array ? $"{Name(kind)}-%A_%a.out" : $"{Name(kind)}-%j.out");
        lines.Add(($"--output={SbatchValue(log)}", array ? "one log per task (%A: the array job, %a: the task) under --reports-dir" : "the job's log (%j: the job) under --reports-dir"));
        lines.Add(("--open-mode=append", array ? "a requeued task appends to its log" : "a rerun appends to the log"));
        if (array)
        {
            lines.Add(("--requeue", "Slurm may requeue the task (node failure, preemption, the USR1 below)"));
            lines.Add(($"--signal=B:USR1@{s.SignalSeconds}", $"scheduler.signal_seconds: USR1 to this script {s.SignalSeconds} s before the time limit"));
        }

        var text = new StringBuilder("#!/bin/bash\n");
        text.Append(kind switch
        {
            TaskKind.Train => $"# Training of profile '{profile}': one array task per (model, seed) trajectory, both arms (pruned and no-pruning control).\n",
            TaskKind.Measure => $"# Measurement of profile '{profile}': one array task per (figure, seed), once every training task has succeeded. A\n" +
                                "# figure's results file covers every model of the profile, so a figure is not split by model.\n",
            _ => $"# Reports of profile '{profile}': plots and index.html of each seed, once every measurement has succeeded.\n",
        });
        text.Append("# Written by repro submit (docs/cluster.md). Each #SBATCH line says where its value comes from.\n");
        var width = lines.Select(l => l.Directive.Length).Where(l => l <= 40).DefaultIfEmpty(0).Max() + "#SBATCH ".Length + 2;
        foreach (var (directive, comment) in lines)
            text.Append($"#SBATCH {directive}".PadRight(width - 1)).Append(" # ").Append(comment).Append('\n');

        text.Append($$"""

            set -euo pipefail

            # The repro CLI every task runs: the build that wrote this script. To run another build, change it here, e.g.
            # REPRO=(/opt/repro/repro) for a self-contained publish, or REPRO=(dotnet /opt/repro/repro.dll).
            REPRO=({{string.Join(' ', cli.Select(Sh))}})

            # Options every task passes.
            COMMON=(
            {{Grouped(tasks[0].Shared)}})


            """);
        var columns = tasks[0].Own.Select(o => (o.Option, Array: ArrayName(o.Option))).ToList();
        var call = $"run_repro {tasks[0].Command} {string.Join(' ', columns.Select(c => $"{c.Option} \"${{{c.Array}[$i]}}\""))} \"${{COMMON[@]}}\"";
        text.Append(array
            ? $"# The task table: array task i runs\n#   {call}\n"
            : $"# One report per seed: row i runs\n#   {call}\n");
        var cells = tasks.Select((t, i) => t.Own.Select((o, c) => $"{columns[c].Array}[{i}]={Sh(o.Value)}").ToList()).ToList();
        var cellWidths = columns.Select((_, c) => cells.Max(row => row[c].Length)).ToList();
        foreach (var row in cells)
            text.Append(string.Join("  ", row.Select((cell, c) => c == row.Count - 1 ? cell : cell.PadRight(cellWidths[c])))).Append('\n');

        text.Append("""

            # Runs repro in the background, so that this shell can take Slurm's signals and pass them on; returns repro's exit
            # status. SIGNAL is the last signal passed on; one that comes before repro has started is passed on once it has.
            # Polled rather than waited for: bash 5.2 can lose a child's exit status when a trapped signal interrupts wait,
            # and a trap runs at the latest a second after its signal.
            CHILD=
            SIGNAL=
            PENDING=
            forward() {
              SIGNAL=$1
              if [[ -n $CHILD ]]; then kill -s "$1" "$CHILD" 2>/dev/null || true; else PENDING=$1; fi
            }
            trap 'forward USR1' USR1
            trap 'forward TERM' TERM
            run_repro() {
              printf '[%(%F %T %z)T] %s: %s\n' -1 "$HOSTNAME" "${REPRO[*]} $*"
              "${REPRO[@]}" "$@" &
              CHILD=$!
              if [[ -n $PENDING ]]; then kill -s "$PENDING" "$CHILD" 2>/dev/null || true; PENDING=; fi
              while kill -0 "$CHILD" 2>/dev/null; do sleep 1 || true; done
              local status=0
              wait "$CHILD" || status=$?
              CHILD=
              printf '[%(%F %T %z)T] exit status %s\n' -1 "$status"
              return "$status"
            }


            """);
        if (!array)
        {
            text.Append($$"""
                for i in "${!{{columns[0].Array}}[@]}"; do
                  {{call}}
                done

                """);
            return text.ToString();
        }
        text.Append($$"""
            i=${SLURM_ARRAY_TASK_ID:?is not set: submit this script with sbatch, or set it to a row of the table to run that task here}
            echo "task $i of job ${SLURM_JOB_ID:-(none)}: {{tasks[0].Command}}{{string.Concat(columns.Select(c => $" {c.Option} ${{{c.Array}[$i]}}"))}}"
            status=0
            {{call}} || status=$?

            # --- Requeue ---------------------------------------------------------------------------------------------------
            # Exit status 5: repro stopped on Slurm's USR1 (scheduler.signal_seconds before the time limit) after writing a
            # checkpoint. Requeue this task: its next run resumes from the checkpoint, and the jobs that depend on this array
            # wait for it. On TERM (scancel, or the time limit itself) the task ends with repro's status instead. What Slurm
            # records for a requeued task: docs/cluster.md, "Requeue and resume". The task is named as <array job>_<task>: one
            # task of an array carries the array's own job id, and requeueing that id requeues every task of the array.
            if [[ $status -eq 5 && $SIGNAL == USR1 ]]; then
              scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
              exit 0
            fi
            exit "$status"

            """);
        return text.ToString();
    }

    static string Name(TaskKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>The bash array holding an option's values, one per task: --reports-dir -> REPORTS_DIR.</summary>
    static string ArrayName(string option) => option.TrimStart('-').Replace('-', '_').ToUpperInvariant();

    /// <summary>Arguments two-space indented, one option and its value per line.</summary>
    static string Grouped(IReadOnlyList<string> arguments)
    {
        var text = new StringBuilder();
        for (var i = 0; i < arguments.Count; i++)
        {
            if (i > 0) text.Append(arguments[i].StartsWith("--", StringComparison.Ordinal) ? "\n" : " ");
            if (i == 0 || arguments[i].StartsWith("--", StringComparison.Ordinal)) text.Append("  ");
            text.Append(Sh(arguments[i]));
        }
        return text.Append('\n').ToString();
    }

    /// <summary>A word for bash: as it is when it holds no special character, else single-quoted.</summary>
    public static string Sh(string word) => PlainWord().IsMatch(word) ? word : "'" + word.Replace("'", "'\\''") + "'";

    /// <summary>An #SBATCH value: double-quoted when it holds a space, a quote or '#' (which would start a comment).</summary>
    static string SbatchValue(string value) => SbatchWord().IsMatch(value) ? value : "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    [GeneratedRegex(@"^[A-Za-z0-9_./:=@%+,-]+$")]
    private static partial Regex PlainWord();

    [GeneratedRegex(@"^[^\s#'""\\]+$")]
    private static partial Regex SbatchWord();
}
