using System.Collections.Concurrent;
using Repro.Config;
using Repro.Figures;
using Repro.Scheduling;

namespace Repro.Tests.Scheduling;

[Trait("Category", TestCategories.Unit)]
public class SubmissionTests
{
    static readonly string[] Cli = ["/opt/dotnet/dotnet", "/opt/repro/repro.dll"];

    /// <summary>Two models, two seeds, two figures; the profile's own seed is 1.</summary>
    static Profile TwoByTwo(Action<SchedulerConfig>? scheduler = null)
    {
        var p = TestSupport.TinyProfile(seed: 1);
        p.Name = "duo";
        p.Models = [new ModelConfig { Architecture = "resnet18", Width = 0.25 }, new ModelConfig { Architecture = "resnet50", Width = 0.25 }];
        p.Figures = ["accuracy", "rotation"];
        p.Scheduler = new SchedulerConfig
        {
            Seeds = [1, 2],
            SignalSeconds = 300,
            MaxConcurrent = 3,
            Train = new TaskResources { Gpus = 1, Cpus = 16, Memory = "64G", Time = "3-00:00:00" },
            Measure = new TaskResources { Gpus = 1, Cpus = 8, Memory = "32G", Time = "12:00:00" },
        };
        scheduler?.Invoke(p.Scheduler);
        return p;
    }

    static SubmissionPlan Plan(Profile profile, string reports = "/data/reports", IReadOnlyList<int>? seeds = null, DeviceChoice? device = null, int? threads = null) =>
        new(profile, new SubmissionOptions { RepoRoot = "/src/repro", CacheDir = "/scratch/cache", ReportsDir = reports, Seeds = seeds, Device = device, Threads = threads });

    static List<string> Directives(string script) => [.. script.Split('\n').Where(l => l.StartsWith("#SBATCH ", StringComparison.Ordinal))
        .Select(l => l.Split(" # ")[0].TrimEnd())];

    [Fact]
    public void The_train_script_of_two_models_and_two_seeds_has_exactly_the_expected_sbatch_lines_and_task_table()
    {
        var script = SlurmScripts.Render(Plan(TwoByTwo()), Cli).Train;

        Assert.Equal([
            "#SBATCH --job-name=repro-duo-train",
            "#SBATCH --array=0-3%3",
            "#SBATCH --ntasks=1",
            "#SBATCH --gpus-per-task=1",
            "#SBATCH --cpus-per-task=16",
            "#SBATCH --mem=64G",
            "#SBATCH --time=3-00:00:00",
            "#SBATCH --output=/data/reports/duo/slurm/logs/train-%A_%a.out",
            "#SBATCH --open-mode=append",
            "#SBATCH --requeue",
            "#SBATCH --signal=B:USR1@300",
        ], Directives(script));
        // every #SBATCH line says where it comes from, and they all precede the first command (sbatch stops reading there)
        Assert.All(script.Split('\n').Where(l => l.StartsWith("#SBATCH", StringComparison.Ordinal)), l => Assert.Contains(" # ", l));
        Assert.Contains(script.Split('\n'), l => l.StartsWith("#SBATCH --gpus-per-task=1 ", StringComparison.Ordinal) && l.EndsWith(" # scheduler.train.gpus", StringComparison.Ordinal));
        Assert.True(script.IndexOf("#SBATCH --signal", StringComparison.Ordinal) < script.IndexOf("set -euo pipefail", StringComparison.Ordinal));

        Assert.Contains("""
            MODEL[0]=resnet18-w0.25  SEED[0]=1
            MODEL[1]=resnet18-w0.25  SEED[1]=2
            MODEL[2]=resnet50-w0.25  SEED[2]=1
            MODEL[3]=resnet50-w0.25  SEED[3]=2

            """, script);
        Assert.Contains("REPRO=(/opt/dotnet/dotnet /opt/repro/repro.dll)\n", script);
        Assert.Contains("COMMON=(\n  --profile duo\n  --repo-root /src/repro\n  --cache-dir /scratch/cache\n)\n", script);
        Assert.Contains("""run_repro train --model "${MODEL[$i]}" --seed "${SEED[$i]}" "${COMMON[@]}" || status=$?""", script);
        Assert.Contains("""
            if [[ $status -eq 5 && $SIGNAL == USR1 ]]; then
              scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
            """, script);
        // no thread count the user did not give: CPU numbers depend on it
        Assert.DoesNotContain("--threads", script);
    }

    [Fact]
    public void Measure_tasks_are_one_per_figure_and_seed_and_the_report_job_loops_over_the_seeds()
    {
        var scripts = SlurmScripts.Render(Plan(TwoByTwo()), Cli);

        Assert.Contains("#SBATCH --array=0-3%3", scripts.Measure);
        Assert.Contains("#SBATCH --signal=B:USR1@300", scripts.Measure);
        Assert.Contains("""
            FIGURES[0]=accuracy  SEED[0]=1  REPORTS_DIR[0]=/data/reports
            FIGURES[1]=accuracy  SEED[1]=2  REPORTS_DIR[1]=/data/reports/seed-2
            FIGURES[2]=rotation  SEED[2]=1  REPORTS_DIR[2]=/data/reports
            FIGURES[3]=rotation  SEED[3]=2  REPORTS_DIR[3]=/data/reports/seed-2

            """, scripts.Measure);

        Assert.Equal([
            "#SBATCH --job-name=repro-duo-report",
            "#SBATCH --ntasks=1",
            "#SBATCH --cpus-per-task=1",
            "#SBATCH --mem=4G",
            "#SBATCH --time=00:30:00",
            "#SBATCH --output=/data/reports/duo/slurm/logs/report-%j.out",
            "#SBATCH --open-mode=append",
        ], Directives(scripts.Report));
        Assert.Contains("REPORTS_DIR[0]=/data/reports\nREPORTS_DIR[1]=/data/reports/seed-2\n", scripts.Report);
        Assert.Contains("for i in \"${!REPORTS_DIR[@]}\"; do\n  run_repro report --reports-dir \"${REPORTS_DIR[$i]}\" \"${COMMON[@]}\"\ndone\n", scripts.Report);
    }

    [Fact]
    public void Partition_and_account_are_left_out_unless_set_and_the_options_override_the_profile()
    {
        static List<string> Named(SlurmScripts s) => [.. Directives(s.Train).Where(d => d.Contains("--partition") || d.Contains("--account"))];

        Assert.Empty(Named(SlurmScripts.Render(Plan(TwoByTwo()), Cli)));

        var profile = TwoByTwo(s => { s.Partition = "gpu"; s.Account = "lab"; });
        var fromProfile = SlurmScripts.Render(Plan(profile), Cli);
        Assert.Equal(["#SBATCH --partition=gpu", "#SBATCH --account=lab"], Named(fromProfile));
        Assert.Contains("# scheduler.partition", fromProfile.Train);
        Assert.Equal(["#SBATCH --partition=gpu", "#SBATCH --account=lab"], Directives(fromProfile.Report).Where(d => d.Contains("--partition") || d.Contains("--account")));

        var overridden = SlurmScripts.Render(Plan(profile), Cli, partition: "a100", account: "other");
        Assert.Equal(["#SBATCH --partition=a100", "#SBATCH --account=other"], Named(overridden));
        Assert.Contains("#SBATCH --partition=a100", overridden.Measure);

        var e = Assert.Throws<ConfigException>(() => SlurmScripts.Render(Plan(profile), Cli, partition: "gpu #2"));
        Assert.Contains("--partition is 'gpu #2'", e.Message);
    }

    [Fact]
    public void No_gpu_line_for_a_task_without_gpus_and_no_limit_without_max_concurrent()
    {
        var script = SlurmScripts.Render(Plan(TwoByTwo(s => { s.Train.Gpus = 0; s.MaxConcurrent = null; })), Cli).Train;
        Assert.DoesNotContain("--gpus-per-task", script);
        Assert.Contains("#SBATCH --array=0-3 ", script);
    }

    [Fact]
    public void Each_task_is_its_exact_repro_argument_list()
    {
        var plan = Plan(TwoByTwo(), device: DeviceChoice.Cuda, threads: 4);

        Assert.Equal(["train-resnet18-w0.25-seed1", "train-resnet18-w0.25-seed2", "train-resnet50-w0.25-seed1", "train-resnet50-w0.25-seed2"], plan.Train.Select(t => t.Name));
        Assert.Equal(["train", "--model", "resnet50-w0.25", "--seed", "2", "--profile", "duo", "--repo-root", "/src/repro", "--cache-dir", "/scratch/cache",
            "--device", "cuda", "--threads", "4"], plan.Train[3].Arguments);
        Assert.Equal(["measure", "--figures", "rotation", "--seed", "2", "--reports-dir", "/data/reports/seed-2", "--profile", "duo", "--repo-root", "/src/repro",
            "--cache-dir", "/scratch/cache", "--device", "cuda", "--threads", "4"], plan.Measure[3].Arguments);
        Assert.Equal(["report", "--reports-dir", "/data/reports/seed-2", "--profile", "duo", "--repo-root", "/src/repro", "--cache-dir", "/scratch/cache"],
            plan.Report[1].Arguments);

        // --seeds over scheduler.seeds; the profile's seed when neither names any
        Assert.Equal([3], Plan(TwoByTwo(), seeds: [3]).Seeds);
        var single = TwoByTwo(s => s.Seeds = null);
        Assert.Equal([1], Plan(single).Seeds);
        Assert.Equal([1, 4], SubmissionPlan.ParseSeeds("1, 4", "--seeds"));
        Assert.Contains("'x'", Assert.Throws<ConfigException>(() => SubmissionPlan.ParseSeeds("1,x", "--seeds")).Message);
        Assert.Throws<ConfigException>(() => SubmissionPlan.ParseSeeds("2,2", "--seeds"));
    }

    [Fact]
    public void A_seed_other_than_the_profiles_reports_under_seed_n()
    {
        var profile = TwoByTwo();
        Assert.Equal("/r", SubmissionPlan.ReportsRootFor("/r", profile, 1));
        Assert.Equal("/r/seed-2", SubmissionPlan.ReportsRootFor("/r", profile, 2));
    }

    [Fact]
    public void The_paper_profile_submits_three_seeds_with_a_days_long_train_task()
    {
        var s = ProfileLoader.Load(TestSupport.RepoRoot, "paper").Scheduler;
        Assert.Equal([1, 2, 3], s.Seeds);
        Assert.Equal((1, 16, "64G", "3-00:00:00"), (s.Train.Gpus, s.Train.Cpus, s.Train.Memory, s.Train.Time));
        Assert.Equal((1, 8, "64G", "12:00:00"), (s.Measure.Gpus, s.Measure.Cpus, s.Measure.Memory, s.Measure.Time));
        Assert.Equal(5, s.CheckpointEveryEpochs);
        Assert.Null(s.Partition);
        Assert.Null(s.Account);
    }

    /// <summary>A fake sbatch in its own folder: records its arguments, one line per call, and prints job id 100, 101, ...</summary>
    static string FakeSbatch(TempDir dir, string body = "")
    {
        var bin = Directory.CreateDirectory(dir["bin"]).FullName;
        var record = dir["sbatch-calls.txt"];
        File.WriteAllText(Path.Combine(bin, "sbatch"), $"""
            #!/bin/sh
            {body}
            echo "$*" >> '{record}'
            echo "$((99 + $(wc -l < '{record}')));cluster"
            """);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(bin, "sbatch"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return bin;
    }

    [Fact]
    public void A_dry_run_writes_the_scripts_and_runs_no_sbatch()
    {
        using var dir = new TempDir();
        var plan = Plan(TwoByTwo(), reports: dir["reports"]);
        var log = new List<string>();

        Assert.Null(SlurmSubmitter.Submit(plan, SlurmScripts.Render(plan, Cli), dryRun: true, log.Add, FakeSbatch(dir)));

        Assert.False(File.Exists(dir["sbatch-calls.txt"]));
        foreach (var name in new[] { "train.sbatch", "measure.sbatch", "report.sbatch" })
            Assert.StartsWith("#!/bin/bash\n", File.ReadAllText(dir.Combine("reports", "duo", "slurm", name)));
        Assert.True(Directory.Exists(dir.Combine("reports", "duo", "slurm", "logs")));
        Assert.False(File.Exists(dir.Combine("reports", "duo", "slurm", SlurmSubmitter.JobsFile)));
        Assert.Contains(log, l => l.StartsWith("dry run: nothing submitted", StringComparison.Ordinal));
    }

    [Fact]
    public void Submitting_chains_measure_after_train_and_report_after_measure_and_records_the_ids()
    {
        using var dir = new TempDir();
        var plan = Plan(TwoByTwo(), reports: dir["reports"]);
        var slurm = dir.Combine("reports", "duo", "slurm");

        var jobs = SlurmSubmitter.Submit(plan, SlurmScripts.Render(plan, Cli), dryRun: false, _ => { }, FakeSbatch(dir))!;

        Assert.Equal([
            $"--parsable {slurm}/train.sbatch",
            $"--parsable --dependency=afterok:100 {slurm}/measure.sbatch",
            $"--parsable --dependency=afterok:101 {slurm}/report.sbatch",
        ], File.ReadAllLines(dir["sbatch-calls.txt"]));
        Assert.Equal(("100", "101", "102"), (jobs.Train, jobs.Measure, jobs.Report));
        var recorded = StrictYaml.LoadFile<SlurmJobs>(Path.Combine(slurm, SlurmSubmitter.JobsFile), "");
        Assert.Equal(("duo", "100", "101", "102"), (recorded.Profile, recorded.Train, recorded.Measure, recorded.Report));
        Assert.Equal([1, 2], recorded.Seeds);
    }

    [Fact]
    public void Without_sbatch_or_when_it_fails_the_error_says_what_to_do()
    {
        using var dir = new TempDir();
        var plan = Plan(TwoByTwo(), reports: dir["reports"]);
        var scripts = SlurmScripts.Render(plan, Cli);

        var missing = Assert.Throws<EnvironmentException>(() => SlurmSubmitter.Submit(plan, scripts, dryRun: false, _ => { }, dir["nowhere"]));
        Assert.Contains("sbatch is not on PATH", missing.Message);
        Assert.Contains("--dry-run", missing.Message);
        Assert.Equal(ExitCode.Environment, ExitCodes.Classify(missing));

        var failing = FakeSbatch(dir, "echo 'sbatch: error: invalid partition specified: gpu' >&2; exit 1");
        var refused = Assert.Throws<EnvironmentException>(() => SlurmSubmitter.Submit(plan, scripts, dryRun: false, _ => { }, failing));
        Assert.Contains("failed with exit code 1: sbatch: error: invalid partition specified: gpu", refused.Message);
    }

    /// <summary>A launcher whose tasks end when the test says, recording what ran at once.</summary>
    sealed class FakeLauncher
    {
        public readonly ConcurrentDictionary<string, TaskCompletionSource<int>> Running = new();
        public readonly ConcurrentQueue<TaskLaunch> Started = new();
        public int MostAtOnce;
        public Func<TaskLaunch, int> ExitCode = _ => 0;

        public Task<int> Launch(TaskLaunch launch, Action<string> output, CancellationToken stop)
        {
            Started.Enqueue(launch);
            output($"running {launch.Task.Name}");
            lock (this) MostAtOnce = Math.Max(MostAtOnce, Running.Count + 1);
            // each task ends on its own a moment later, with the exit code the test chose
            var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            Running[launch.Task.Name] = done;
            stop.Register(() => done.TrySetResult(LocalRunner.Stopped));
            _ = Task.Delay(20, CancellationToken.None).ContinueWith(_ =>
            {
                Running.TryRemove(launch.Task.Name, out var _);
                done.TrySetResult(ExitCode(launch));
            }, TaskScheduler.Default);
            return done.Task;
        }
    }

    [Fact]
    public void The_local_runner_runs_n_tasks_at_a_time_each_on_its_own_gpu_train_before_measure_before_report()
    {
        using var dir = new TempDir();
        var plan = Plan(TwoByTwo(s => s.Seeds = [1, 2, 3]), reports: dir["reports"], device: DeviceChoice.Cuda);
        var fake = new FakeLauncher();
        var lines = new ConcurrentQueue<string>();

        var result = new LocalRunner(plan, 2, Cli, lines.Enqueue, fake.Launch).Run(CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, fake.MostAtOnce);
        var started = fake.Started.ToList();
        Assert.Equal(plan.Train.Concat(plan.Measure).Concat(plan.Report).Select(t => t.Name), started.Select(l => l.Task.Name));
        Assert.All(started, l => Assert.Equal($"{l.Slot}", l.Environment["CUDA_VISIBLE_DEVICES"]));
        Assert.Equal([0, 1], started.Select(l => l.Slot).Distinct().Order());
        // each task's output goes to the console, prefixed, and to its own log
        Assert.Contains("[train-resnet18-w0.25-seed2] running train-resnet18-w0.25-seed2", lines);
        Assert.Contains("running measure-rotation-seed3", File.ReadAllText(dir.Combine("reports", "duo", "slurm", "logs", "measure-rotation-seed3.log")));

        // on the CPU no task is given a GPU
        var onCpu = new FakeLauncher();
        new LocalRunner(Plan(TwoByTwo(), reports: dir["reports"], device: DeviceChoice.Cpu), 2, Cli, _ => { }, onCpu.Launch).Run(CancellationToken.None);
        Assert.All(onCpu.Started, l => Assert.Empty(l.Environment));
    }

    [Fact]
    public void The_local_runner_starts_nothing_after_the_first_failure_and_names_it()
    {
        using var dir = new TempDir();
        var plan = Plan(TwoByTwo(s => s.Seeds = [1, 2, 3]), reports: dir["reports"]);
        var fake = new FakeLauncher { ExitCode = l => l.Task.Name == "train-resnet18-w0.25-seed2" ? 2 : 0 };

        var result = new LocalRunner(plan, 1, Cli, _ => { }, fake.Launch).Run(CancellationToken.None);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("train-resnet18-w0.25-seed2", result.Failed!.Name);
        Assert.Equal(dir.Combine("reports", "duo", "slurm", "logs", "train-resnet18-w0.25-seed2.log"), result.LogPath);
        Assert.Equal(["train-resnet18-w0.25-seed1", "train-resnet18-w0.25-seed2"], fake.Started.Select(l => l.Task.Name));
    }

    [Fact]
    public void A_stopped_local_run_passes_the_stop_on_and_exits_with_5()
    {
        using var dir = new TempDir();
        using var stop = new CancellationTokenSource();
        var plan = Plan(TwoByTwo(), reports: dir["reports"]);
        var fake = new FakeLauncher();
        Task<int> Hang(TaskLaunch l, Action<string> o, CancellationToken token)
        {
            var stopped = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            token.Register(() => stopped.TrySetResult(LocalRunner.Stopped));
            fake.Started.Enqueue(l);
            stop.Cancel();
            return stopped.Task;
        }

        var result = new LocalRunner(plan, 2, Cli, _ => { }, Hang).Run(stop.Token);

        Assert.Equal(LocalRunner.Stopped, result.ExitCode);
        Assert.Single(fake.Started);
    }

    [Fact]
    public void The_paper_profiles_train_script_in_docs_cluster_md_is_the_one_submit_writes()
    {
        var docs = File.ReadAllText(Path.Combine(TestSupport.RepoRoot, "docs", "cluster.md"));
        var start = docs.IndexOf("```bash\n#!/bin/bash\n# Training of profile 'paper'", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/cluster.md no longer shows the paper profile's train.sbatch in a ```bash block");
        start += "```bash\n".Length;
        var documented = docs[start..docs.IndexOf("```", start, StringComparison.Ordinal)];
        var plan = new SubmissionPlan(ProfileLoader.Load(TestSupport.RepoRoot, "paper"), new SubmissionOptions
        {
            RepoRoot = "/opt/repro", CacheDir = "/scratch/repro/cache", ReportsDir = "/scratch/repro/reports", DataRoot = "/data/imagenet",
        });
        var rendered = SlurmScripts.Render(plan, ["/usr/share/dotnet/dotnet", "/opt/repro/harness/Repro.Cli/bin/Release/net10.0/repro.dll"]).Train;
        Assert.Equal(rendered, documented);
    }
}
