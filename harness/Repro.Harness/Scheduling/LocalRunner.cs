using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Repro.Config;

namespace Repro.Scheduling;

/// <summary>One task to start: its repro arguments, its slot (0..parallel-1) and the environment variables it gets on top of this process's.</summary>
public sealed record TaskLaunch(SubmissionTask Task, int Slot, IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// Starts a task, passes each line it prints to <paramref name="output"/> and completes with its exit code. When
/// <paramref name="stop"/> fires, the task is asked to stop (SIGTERM) and still awaited.
/// </summary>
public delegate Task<int> TaskLauncher(TaskLaunch launch, Action<string> output, CancellationToken stop);

/// <summary>How a local run ended: exit code 0, or the first task that failed (or was stopped), its code and its log.</summary>
public sealed record LocalRunResult(int ExitCode, SubmissionTask? Failed = null, string? LogPath = null);

/// <summary>
/// Runs a plan's tasks as child processes of the same CLI, <c>parallel</c> at a time: every train task, then every
/// measure task, then the reports. Each child on a GPU device sees one GPU (CUDA_VISIBLE_DEVICES = its slot); its
/// output goes to this console, prefixed with the task's name, and to &lt;reports&gt;/&lt;profile&gt;/slurm/logs/&lt;task&gt;.log.
/// No task starts after the first failure. The children are ordinary repro runs, so the cache's locks apply to them.
/// </summary>
public sealed class LocalRunner(SubmissionPlan plan, int parallel, IReadOnlyList<string> cli, Action<string> log, TaskLauncher? launcher = null)
{
    /// <summary>The exit code of a run stopped by a signal (README, Exit codes): a rerun resumes from the checkpoints.</summary>
    public const int Stopped = 5;

    readonly TaskLauncher launch = launcher ?? ((l, output, stop) => StartProcess(cli, l, output, stop));

    public string LogPath(SubmissionTask task) => Path.Combine(plan.LogFolder, $"{task.Name}.log");

    /// <summary>Runs every task; <paramref name="stop"/> (Ctrl-C, SIGTERM) stops launching and is passed on to the running children.</summary>
    public LocalRunResult Run(CancellationToken stop)
    {
        if (parallel < 1) throw new ConfigException($"--parallel is {parallel}; pass 1 or more (tasks run at once)");
        Directory.CreateDirectory(plan.LogFolder);
        log($"local run of profile '{plan.Profile.Name}', {parallel} task(s) at a time{(UsesGpus ? ", each with CUDA_VISIBLE_DEVICES = its slot (0..N-1)" : "")}: " +
            $"{plan.Train.Count} train, {plan.Measure.Count} measure, {plan.Report.Count} report; logs in {plan.LogFolder}");
        foreach (var kind in Enum.GetValues<TaskKind>())
        {
            var result = RunAll(plan.Tasks(kind), stop).GetAwaiter().GetResult();
            if (result.ExitCode != 0) return result;
            if (stop.IsCancellationRequested) return new LocalRunResult(Stopped);
        }
        return new LocalRunResult(0);
    }

    bool UsesGpus => plan.Device is DeviceChoice.Cuda or DeviceChoice.Auto;

    async Task<LocalRunResult> RunAll(IReadOnlyList<SubmissionTask> tasks, CancellationToken stop)
    {
        var free = new Stack<int>(Enumerable.Range(0, parallel).Reverse());
        var running = new Dictionary<Task<int>, (SubmissionTask Task, int Slot)>();
        LocalRunResult? failed = null;
        var next = 0;
        while (true)
        {
            while (failed is null && !stop.IsCancellationRequested && next < tasks.Count && free.Count > 0)
            {
                var (task, slot) = (tasks[next++], free.Pop());
                running.Add(Start(task, slot, stop), (task, slot));
            }
            if (running.Count == 0) return failed ?? new LocalRunResult(0);
            var done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
            var (finished, freed) = running[done];
            running.Remove(done);
            free.Push(freed);
            var code = await done.ConfigureAwait(false);
            log($"{finished.Name}: exit code {code}");
            if (code != 0 && failed is null)
            {
                failed = new LocalRunResult(code, finished, LogPath(finished));
                if (running.Count > 0) log($"{running.Count} task(s) still running are let finish; no new task starts");
            }
        }
    }

    Task<int> Start(SubmissionTask task, int slot, CancellationToken stop)
    {
        var environment = UsesGpus
            ? new Dictionary<string, string> { ["CUDA_VISIBLE_DEVICES"] = slot.ToString(CultureInfo.InvariantCulture) }
            : new Dictionary<string, string>();
        var file = new StreamWriter(LogPath(task), append: true) { AutoFlush = true };
        var gate = new Lock();
        void Output(string line)
        {
            lock (gate) file.WriteLine(line);
            log($"[{task.Name}] {line}");
        }
        Output($"== {DateTime.UtcNow:O} start: {string.Join(' ', cli.Concat(task.Arguments).Select(SlurmScripts.Sh))}" +
               (environment.Count > 0 ? $" (CUDA_VISIBLE_DEVICES={slot})" : ""));
        return Run();

        async Task<int> Run()
        {
            try { return await launch(new TaskLaunch(task, slot, environment), Output, stop).ConfigureAwait(false); }
            finally { lock (gate) file.Dispose(); }
        }
    }

    /// <summary>The real launcher: the CLI as a child process, its stdout and stderr line by line.</summary>
    static async Task<int> StartProcess(IReadOnlyList<string> cli, TaskLaunch launch, Action<string> output, CancellationToken stop)
    {
        var start = new ProcessStartInfo(cli[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in cli.Skip(1).Concat(launch.Task.Arguments)) start.ArgumentList.Add(a);
        foreach (var (name, value) in launch.Environment) start.Environment[name] = value;
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data != null) output(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) output(e.Data); };
        if (!process.Start()) throw new EnvironmentException($"could not start {cli[0]} for task {launch.Task.Name}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // SIGTERM, which repro answers by checkpointing and exiting with 5; Process.Kill would be SIGKILL.
        using var forward = stop.Register(() => { if (!process.HasExited) _ = kill(process.Id, SigTerm); });
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        process.WaitForExit(); // the last output lines
        return process.ExitCode;
    }

    const int SigTerm = 15;

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);
}
