using System.CommandLine;
using System.Diagnostics;
using Repro.Config;
using Repro.Data;
using Repro.Figures;
using Repro.Models;
using Repro.Report;
using Repro.Results;
using Repro.Torch;
using Repro.Training;

// First, before anything touches libtorch (its OpenMP runtime reads the wait policy once, when it loads); the
// check-convolutions child sets itself up here too.
if (ExitCodes.Run(() => { TorchRuntime.Configure(TorchRuntimeOptions.FromEnvironment()); return 0; }, Path.GetTempPath, Console.Error) is var setup and not 0)
    return setup;

var clock = Stopwatch.StartNew();
void Log(string message) => Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] {message}");

var profileOption = new Option<string>("--profile") { Description = "Profile name (profiles/<name>.yaml).", DefaultValueFactory = _ => "smoke" };
var figuresOption = new Option<string>("--figures") { Description = "Comma-separated figure names, or 'all' for the profile's list.", DefaultValueFactory = _ => "all" };
var deviceOption = new Option<string?>("--device") { Description = "auto | cpu | cuda (default: the profile's)." };
var dataRootOption = new Option<string?>("--data-root") { Description = "Dataset root for profiles that read real data." };
var cacheOption = new Option<string?>("--cache-dir") { Description = "Where generated data and checkpoints go (default: <repo>/.cache)." };
var repoOption = new Option<string?>("--repo-root") { Description = "Repository root (default: found from the working directory)." };
var reportsOption = new Option<string?>("--reports-dir") { Description = "Where reports/<profile>/ is written and read (default: <repo>/reports)." };
var planOption = new Option<bool>("--plan") { Description = "Print what the profile would run and its estimated GPU-hours, then stop." };
var seedsOption = new Option<string?>("--seeds") { Description = "Comma-separated seeds whose spread gives the cross-machine tolerances (default: the profile's reference_seeds; the profile's seed is always one)." };
var threadsOption = new Option<int?>("--threads") { Description = "libtorch's intra-op CPU threads (default: the profile's performance.threads, else the cores this process may use). CPU numbers depend on it: other counts are checked against expected-results/<profile>/threads-<n>/." };
var trajectoryOption = new Option<string?>("--trajectory") { Description = "Folder of PyTorch checkpoints, <dir>/<model>/model_epoch_<E>_pruning_iteration_<i>.pth: compute the figures from them instead of training (default: the profile's trajectory.dir)." };
var seedOption = new Option<int?>("--seed") { Description = "Training seed (default: the profile's seed). Another seed trains its own checkpoints; its figures are measured but not compared with the expected values, which are the profile's seed's." };
var onednnOption = new Option<string?>("--onednn") { Description = "CPU convolution kernels: auto (oneDNN if its start-up self-check on the profile's shapes agrees with libtorch's native kernels), on, off (default: the profile's performance.onednn, else auto)." };

Option[] common = [profileOption, figuresOption, deviceOption, dataRootOption, cacheOption, repoOption, reportsOption, threadsOption, onednnOption, seedOption];
var root = new RootCommand("Repro: reproduces 'When Does Pruning Benefit Vision Representations?' (arXiv 2507.01722).");

var reproduce = new Command("reproduce", "Run the profile's figures, check them against expected-results and write reports/<profile>/index.html.");
foreach (var o in common) reproduce.Options.Add(o);
reproduce.Options.Add(planOption);
reproduce.Options.Add(trajectoryOption);
reproduce.SetAction(r => Guard(r, () =>
{
    var (repo, profile, figures) = Resolve(r);
    if (r.GetValue(planOption)) { Console.Write(Plan(repo, profile, r)); return 0; }
    StopSignal.Listen(Log);
    var context = Context(repo, profile, r);
    Prepare(figures, context);
    var failed = new List<string>();
    foreach (var figure in figures)
        if (!FigureRunner.Run(figure, context).Check.Passed) failed.Add(figure.Name);
    Log($"report: {HtmlReport.Write(context.ReportsRoot, profile.Name, FigureCatalog.Of(profile))}");
    if (failed.Count == 0) return 0;
    Log($"FAILED: {string.Join(", ", failed)} did not match expected-results/{FigureRunner.ExpectedFolder(context)}/");
    return 1;
}));

var plan = new Command("plan", "Print what a profile would run and its estimated GPU-hours.");
foreach (var o in common) plan.Options.Add(o);
plan.SetAction(r => Guard(r, () =>
{
    var (repo, profile, _) = Resolve(r);
    Console.Write(Plan(repo, profile, r));
    return 0;
}));

var accept = new Command("accept", "Copy each figure's reports/<profile>/<figure>/received.yaml to the expected-results file its check compared with.");
foreach (var o in common) accept.Options.Add(o);
accept.SetAction(r => Guard(r, () =>
{
    var (repo, profile, figures) = Resolve(r);
    var reports = ReportsRoot(r, repo);
    var done = FigureRunner.Accept(repo, reports, profile.Name, figures.Select(f => f.Name));
    foreach (var f in done) Log($"accepted {Path.GetRelativePath(repo, f)}");
    if (done.Count == 0) Log($"nothing to accept: no received.yaml with a check.yaml under {FigureRunner.ReportDirectory(reports, profile.Name)}/<figure>/ (run the figures first)");
    return 0;
}));

var derive = new Command("derive-bands", "Measure the profile's seed twice and every reference seed once, and write the seed's expected values with measured same-machine and cross-machine tolerances.");
foreach (var o in common) derive.Options.Add(o);
derive.Options.Add(seedsOption);
derive.SetAction(r => Guard(r, () =>
{
    var (repo, profile, figures) = Resolve(r);
    var seedsText = r.GetValue(seedsOption);
    var seeds = seedsText != null
        ? seedsText.Split(',').Select(t => int.TryParse(t, out var seed) ? seed : throw new ConfigException($"--seeds names '{t}'; pass whole numbers separated by commas, e.g. 1,2,3")).ToList()
        : profile.ReferenceSeeds;
    var context = Context(repo, profile, r);
    Prepare(figures, context);
    foreach (var figure in figures)
    {
        var expected = BandDerivation.Derive(figure, profile, seeds, p => Context(repo, p, r));
        var path = ExpectedResults.PathFor(repo, FigureRunner.ExpectedFolder(context), figure.Name);
        // Values another machine derived stay; this machine's go beside them, into their machines/ folder.
        if (File.Exists(path) && ExpectedResults.Load(path) is var existing && !BandCheck.SameMachine(existing, expected))
            path = ExpectedResults.PathFor(repo, FigureRunner.MachineFolder(FigureRunner.ExpectedFolder(context), context), figure.Name);
        StrictYaml.SaveAtomically(path, expected);
        Log($"wrote {Path.GetRelativePath(repo, path)} ({expected.Values.Count} values)");
    }
    return 0;
}));

var plotCommand = new Command("plot", "Redraw every plot of reports/<profile>/ from its results.yaml files alone.");
foreach (var o in common) plotCommand.Options.Add(o);
plotCommand.SetAction(r => Guard(r, () =>
{
    var (repo, profile, figures) = Resolve(r);
    var reports = ReportsRoot(r, repo);
    Log($"plot: {FigureRunner.PlotAll(reports, profile.Name, figures, Log).Count} figure(s) redrawn under {FigureRunner.ReportDirectory(reports, profile.Name)}");
    return 0;
}));

var report = new Command("report", "Rebuild reports/<profile>/: every plot and index.html, from the results files alone.");
foreach (var o in common) report.Options.Add(o);
report.SetAction(r => Guard(r, () =>
{
    var (repo, profile, figures) = Resolve(r);
    var reports = ReportsRoot(r, repo);
    FigureRunner.PlotAll(reports, profile.Name, figures, Log);
    Log($"report: {HtmlReport.Write(reports, profile.Name, FigureCatalog.Of(profile))}");
    foreach (var stale in FigureRunner.StaleChecks(reports, profile.Name))
        Log($"check is stale for '{stale}': its results.yaml changed after the band check (an interrupted run); rerun the figure");
    return 0;
}));

var modelOption = new Option<string?>("--model") { Description = "The model's key (models[] of the profile, e.g. resnet18 or resnet18-w0.25); default: every model." };
var train = new Command("train", "Train one profile's trajectories (every model, or --model's) for one seed, both arms, into the cache; no measuring. Stopped by SIGUSR1 or SIGTERM it checkpoints and exits with code 5, and a rerun resumes there.");
foreach (var o in common) train.Options.Add(o);
train.Options.Add(modelOption);
train.SetAction(r => Guard(r, () =>
{
    var (repo, profile, _) = Resolve(r);
    var models = r.GetValue(modelOption) is { } key
        ? [profile.Models.FirstOrDefault(m => m.Key == key) ?? throw new ConfigException(
            $"--model is '{key}', but profile '{profile.Name}' has models {string.Join(", ", profile.Models.Select(m => m.Key))}")]
        : profile.Models;
    StopSignal.Listen(Log);
    var context = Context(repo, profile, r);
    AtomicFile.RemoveDeadTemporaries([context.CacheRoot], Log);
    foreach (var model in models)
        foreach (var arm in Trajectory.Arms(context, model))
        {
            var metrics = arm.Ensure();
            Log($"{arm.SeriesKey} seed {profile.Seed}: iterations 0..{metrics.Count - 1} in {arm.Store.Directory}, top-1 {string.Join(", ", metrics.Select(m => m.Top1.ToString("P1")))}");
        }
    return 0;
}));

var measure = new Command("measure", "Measure, check and plot figures from trained checkpoints (training what is missing), without the HTML report: one task of a submission.");
foreach (var o in common) measure.Options.Add(o);
measure.SetAction(r => Guard(r, () =>
{
    var (repo, profile, figures) = Resolve(r);
    StopSignal.Listen(Log);
    var context = Context(repo, profile, r);
    Prepare(figures, context);
    var failed = figures.Where(figure => !FigureRunner.Run(figure, context).Check.Passed).Select(f => f.Name).ToList();
    if (failed.Count == 0) return 0;
    Log($"FAILED: {string.Join(", ", failed)} did not match expected-results/{FigureRunner.ExpectedFolder(context)}/");
    return 1;
}));

var status = new Command("status", "Where each trajectory of the profile stands, from the cache alone: iterations and epochs done, who holds its lock, the time left.");
status.Options.Add(profileOption);
status.Options.Add(cacheOption);
status.Options.Add(repoOption);
status.SetAction(r => Guard(r, () =>
{
    var repo = r.GetValue(repoOption) ?? RepoRoot.Find(Directory.GetCurrentDirectory(), AppContext.BaseDirectory);
    var name = r.GetValue(profileOption)!;
    var cache = r.GetValue(cacheOption) ?? Path.Combine(repo, ".cache");
    Console.Write(TrajectoryStatus.Render(TrajectoryStatus.Read(cache, name), cache, name, DateTime.UtcNow));
    return 0;
}));

var parityDirOption = new Option<string>("--dir") { Description = "Folder written by tools/parity/make_reference.py.", Required = true };
var parity = new Command("parity", "Compare the models' logits and gradients with torchvision's on identical weights (reference from tools/parity/make_reference.py).");
var parityExportOption = new Option<string?>("--export") { Description = "Also write each model, pruned to 50 %, as PyTorch state dicts here (check with make_reference.py --check-export)." };
parity.Options.Add(parityDirOption);
parity.Options.Add(parityExportOption);
parity.SetAction(r => Guard(r, () =>
{
    var results = Repro.Interop.ParityCheck.Run(r.GetValue(parityDirOption)!, Log, r.GetValue(parityExportOption));
    var failed = results.Where(x => !x.Passed).Select(x => x.Name).ToList();
    if (failed.Count == 0) return 0;
    Log($"FAILED: {string.Join(", ", failed)}");
    return 1;
}));

var speedArch = new Option<string>("--arch") { Description = "Architecture at full width.", DefaultValueFactory = _ => "resnet18" };
var speedBatch = new Option<int>("--batch") { DefaultValueFactory = _ => 64 };
var speedSize = new Option<int>("--size") { Description = "Input side in pixels.", DefaultValueFactory = _ => 224 };
var speedSteps = new Option<int>("--steps") { Description = "Timed steps per workload (after the warm-up steps).", DefaultValueFactory = _ => 30 };
var speedWarmup = new Option<int>("--warmup") { Description = "Untimed steps before each workload.", DefaultValueFactory = _ => 10 };
var speedImages = new Option<int>("--images") { Description = "Images in the fixed set of the pruning-iteration workload.", DefaultValueFactory = _ => 2048 };
var speedSettings = new Option<string>("--settings") { Description = $"Comma-separated: {string.Join(", ", SpeedSetting.All.Select(s => s.Name))}, or all.", DefaultValueFactory = _ => "all" };
var speedJson = new Option<string?>("--json") { Description = "Also write the results here as JSON." };
var speedWidth = new Option<double>("--width") { Description = "Channel width multiplier (0.25 = the smoke profile's ResNet-18).", DefaultValueFactory = _ => 1.0 };
var speedWorkloads = new Option<string>("--workloads") { Description = "Comma-separated: train_step, inference, pruning_iteration, or all of these three; or pipeline (JPEG decode and transforms into batches).", DefaultValueFactory = _ => "all" };
var pipelineDir = new Option<string>("--pipeline-dir") { Description = "Folder of the pipeline workload's JPEGs (written once if missing).", DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "repro-pipeline-jpegs") };
var pipelineImages = new Option<int>("--pipeline-images") { Description = "JPEGs (500x375, quality 90) one pipeline pass reads.", DefaultValueFactory = _ => 256 };
var pipelineBatch = new Option<int>("--pipeline-batch") { DefaultValueFactory = _ => 32 };
var decodeThreads = new Option<int>("--decode-threads") { Description = "Threads decoding and transforming (0 = one per core).", DefaultValueFactory = _ => 1 };
var speed = new Command("speed", "Time a training step, inference and one pruning iteration, or the data pipeline (the suite's half of benchmarks/side-by-side).");
foreach (var o in new Option[] { deviceOption, speedArch, speedWidth, speedBatch, speedSize, speedSteps, speedWarmup, speedImages, speedSettings, speedWorkloads, speedJson,
             threadsOption, onednnOption, pipelineDir, pipelineImages, pipelineBatch, decodeThreads })
    speed.Options.Add(o);
speed.SetAction(r => Guard(r, () =>
{
    var workloadNames = r.GetValue(speedWorkloads)!;
    if (workloadNames == "pipeline")
    {
        var pipeline = new PipelineProbe(r.GetValue(pipelineDir)!, r.GetValue(pipelineImages), r.GetValue(pipelineBatch), r.GetValue(speedSize), r.GetValue(decodeThreads));
        Log($"speed: data pipeline, {r.GetValue(pipelineImages)} JPEGs in {r.GetValue(pipelineDir)}, batch {r.GetValue(pipelineBatch)}, crop {r.GetValue(speedSize)} px (eval resize {pipeline.ResizeSize}), JPEGs decoded by {ImageCodec.JpegDecoder}");
        return ReportSpeed(r, [pipeline.Train, pipeline.Eval]);
    }
    var device = DeviceSelection.Resolve(ParseDevice(r.GetValue(deviceOption)) ?? DeviceChoice.Auto);
    var names = r.GetValue(speedSettings)!;
    var settings = names == "all" ? SpeedSetting.All.ToList() : names.Split(',').Select(n => SpeedSetting.All.FirstOrDefault(s => s.Name == n.Trim())
        ?? throw new ConfigException($"--settings names '{n}'; allowed values: {string.Join(", ", SpeedSetting.All.Select(s => s.Name))}")).ToList();
    string[] allWorkloads = ["train_step", "inference", "pruning_iteration"];
    var workloads = workloadNames == "all" ? allWorkloads : workloadNames.Split(',', StringSplitOptions.TrimEntries).Select(w => allWorkloads.Contains(w) ? w
        : throw new ConfigException($"--workloads names '{w}'; allowed values: {string.Join(", ", allWorkloads)}, all, or pipeline alone")).ToArray();
    var model = new ModelConfig { Architecture = r.GetValue(speedArch)!, Width = r.GetValue(speedWidth) };
    if (device.type == TorchSharp.DeviceType.CPU)
    {
        TorchSharp.torch.set_num_threads(DeviceSelection.ResolveThreads(r.GetValue(threadsOption), new PerformanceConfig()));
        var shapes = DeviceSelection.ConvolutionShapes([model], r.GetValue(speedSize));
        if (settings.Any(s => s.ChannelsLast)) shapes = [.. shapes, .. shapes.Select(s => s with { ChannelsLast = true })];
        var kernels = ConvolutionBackend.Select(ParseOneDnn(r.GetValue(onednnOption)) ?? OneDnnMode.Auto, shapes, Console.Error.WriteLine);
        Log($"convolutions: {kernels.Kernels} ({kernels.Outcome}); {Repro.Torch.TorchRuntime.Require("repro speed").OpenMp}");
    }
    var probe = new ThroughputProbe(device, model, r.GetValue(speedBatch), r.GetValue(speedSize)) { Steps = r.GetValue(speedSteps), WarmupSteps = r.GetValue(speedWarmup) };
    Log($"speed: {model.Key} batch {r.GetValue(speedBatch)} at {r.GetValue(speedSize)} px on {DeviceSelection.Describe(device)}");
    return ReportSpeed(r, settings.SelectMany(setting => workloads.Select<string, Func<SpeedResult>>(workload => workload switch
    {
        "train_step" => () => probe.TrainStep(setting),
        "inference" => () => probe.Inference(setting),
        _ => () => probe.PruningIteration(setting, r.GetValue(speedImages)),
    })));
}));

int ReportSpeed(ParseResult r, IEnumerable<Func<SpeedResult>> runs)
{
    var results = new List<SpeedResult>();
    foreach (var run in runs)
    {
        var result = run();
        results.Add(result);
        var stages = result.StageMs.Count == 0 ? "" : "  stages ms: " + string.Join(", ", result.StageMs.Select(kv => $"{kv.Key} {kv.Value:F2}"));
        Log($"  {result.Workload,-17} {result.Setting,-19} {result.ImagesPerSecond,8:F0} img/s  {result.Seconds,7:F2} s{stages}");
    }
    if (r.GetValue(speedJson) is { } json)
        AtomicFile.WriteAllText(json, SpeedResult.ToJson(results));
    return 0;
}

var shapeOption = new Option<string[]>("--shape") { Description = "in,out,kernel,stride,padding,groups,input size,channels-last (0/1); repeatable.", AllowMultipleArgumentsPerToken = false };
var checkConvolutions = new Command("check-convolutions", "The oneDNN self-check's child process: compares oneDNN's convolution gradients with libtorch's native ones, one line per shape.") { Hidden = true };
checkConvolutions.Options.Add(shapeOption);
checkConvolutions.Options.Add(threadsOption);
checkConvolutions.Options.Add(cacheOption);
checkConvolutions.SetAction(r => Guard(r, () =>
{
    TorchSharp.torch.set_num_threads(DeviceSelection.ResolveThreads(r.GetValue(threadsOption), new PerformanceConfig()));
    return ConvolutionBackend.RunCheck((r.GetValue(shapeOption) ?? []).Select(ConvolutionShape.Parse).ToList(), Console.Out);
}));

// repro submit: the profile as Slurm job arrays (train, measure, report) or as local child processes, N at a time.
var schedulerOption = new Option<string>("--scheduler") { Description = "slurm: sbatch job arrays chained by afterok; local: child processes on this machine.", DefaultValueFactory = _ => "slurm" };
var submitSeedsOption = new Option<string?>("--seeds") { Description = "Comma-separated training seeds, one trajectory per model and seed (default: the profile's scheduler.seeds, else its seed)." };
var dryRunOption = new Option<bool>("--dry-run") { Description = "slurm: write the sbatch scripts under <reports>/<profile>/slurm/ and submit nothing; local: print the tasks and run nothing." };
var parallelOption = new Option<int?>("--parallel") { Description = "local: tasks run at once, each on its own GPU (CUDA_VISIBLE_DEVICES) unless the device is cpu (default 1)." };
var partitionOption = new Option<string?>("--partition") { Description = "slurm: the partition (default: the profile's scheduler.partition, else the cluster's)." };
var accountOption = new Option<string?>("--account") { Description = "slurm: the account charged (default: the profile's scheduler.account, else the user's)." };
var submit = new Command("submit", "Train every (model, seed) trajectory, measure every (figure, seed) and write each seed's report: as Slurm job arrays, or as local processes.");
foreach (var o in common) submit.Options.Add(o);
foreach (var o in new Option[] { schedulerOption, submitSeedsOption, dryRunOption, parallelOption, partitionOption, accountOption }) submit.Options.Add(o);
submit.SetAction(r => Guard(r, () =>
{
    if (r.GetValue(seedOption) is not null) throw new ConfigException("submit trains several seeds: pass --seeds (e.g. --seeds 2 for one), not --seed");
    var (repo, profile, figures) = Resolve(r);
    var seeds = r.GetValue(submitSeedsOption) is { Length: > 0 } seedsText ? Repro.Scheduling.SubmissionPlan.ParseSeeds(seedsText, "--seeds") : null;
    var dataRoot = r.GetValue(dataRootOption);
    var plan = new Repro.Scheduling.SubmissionPlan(profile, new Repro.Scheduling.SubmissionOptions
    {
        RepoRoot = repo,
        Seeds = seeds,
        Figures = r.GetValue(figuresOption) is "all" or "" ? null : [.. figures.Select(f => f.Name)],
        CacheDir = r.GetValue(cacheOption),
        ReportsDir = ReportsRoot(r, repo),
        Threads = r.GetValue(threadsOption),
        Device = ParseDevice(r.GetValue(deviceOption)),
        DataRoot = string.IsNullOrEmpty(dataRoot) ? null : dataRoot,
        OneDnn = ParseOneDnn(r.GetValue(onednnOption)),
    });
    var cli = Repro.Scheduling.SubmissionPlan.RunningCli();
    var scheduler = r.GetValue(schedulerOption);
    if (scheduler == "slurm")
    {
        if (r.GetValue(parallelOption) is not null) throw new ConfigException("--parallel applies to --scheduler local; Slurm runs the array tasks as resources allow (scheduler.max_concurrent caps them)");
        var scripts = Repro.Scheduling.SlurmScripts.Render(plan, cli, r.GetValue(partitionOption), r.GetValue(accountOption));
        Repro.Scheduling.SlurmSubmitter.Submit(plan, scripts, r.GetValue(dryRunOption), Log);
        return 0;
    }
    if (scheduler != "local") throw new ConfigException($"--scheduler is '{scheduler}'; allowed values: slurm, local");
    if (r.GetValue(partitionOption) is not null || r.GetValue(accountOption) is not null) throw new ConfigException("--partition and --account apply to --scheduler slurm");
    if (r.GetValue(dryRunOption))
    {
        foreach (var task in plan.Train.Concat(plan.Measure).Concat(plan.Report))
            Console.WriteLine(string.Join(' ', cli.Concat(task.Arguments).Select(Repro.Scheduling.SlurmScripts.Sh)));
        return 0;
    }
    using var stop = new CancellationTokenSource();
    void Stop(System.Runtime.InteropServices.PosixSignalContext signal) { signal.Cancel = true; stop.Cancel(); }
    using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
    using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
    var runner = new Repro.Scheduling.LocalRunner(plan, r.GetValue(parallelOption) ?? 1, cli, Log);
    var result = runner.Run(stop.Token);
    if (result.ExitCode == 0) Log($"done: {plan.Train.Count} train, {plan.Measure.Count} measure task(s); reports under {plan.ReportsRoot}");
    else if (result.Failed is null || result.ExitCode == Repro.Scheduling.LocalRunner.Stopped)
        Log($"stopped: {(result.Failed is { } t ? $"task {t.Name} exited with {result.ExitCode} (log: {result.LogPath})" : "on request")}; rerun the same command to resume");
    else Log($"FAILED: task {result.Failed.Name} exited with {result.ExitCode}; its log: {result.LogPath}");
    return result.ExitCode;
}));

root.Subcommands.Add(reproduce);
root.Subcommands.Add(checkConvolutions);
root.Subcommands.Add(speed);
root.Subcommands.Add(plan);
root.Subcommands.Add(accept);
root.Subcommands.Add(derive);
root.Subcommands.Add(plotCommand);
root.Subcommands.Add(report);
root.Subcommands.Add(parity);
root.Subcommands.Add(train);
root.Subcommands.Add(measure);
root.Subcommands.Add(status);
root.Subcommands.Add(submit);
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // System.CommandLine's own code for these is 1, which means "out of band" here.
    foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message}");
    Console.Error.WriteLine("Run 'repro --help' for the commands and their options.");
    return (int)ExitCode.BadInput;
}
return parsed.Invoke();

(string Repo, Profile Profile, List<IFigure> Figures) Resolve(ParseResult r)
{
    var repo = r.GetValue(repoOption) ?? RepoRoot.Find(Directory.GetCurrentDirectory(), AppContext.BaseDirectory);
    var profile = ProfileLoader.Load(repo, r.GetValue(profileOption)!);
    if (r.GetValue(seedOption) is { } seed) profile.Seed = seed;
    var names = r.GetValue(figuresOption)!;
    var selected = names is "all" or "" ? profile.Figures : names.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
    return (repo, profile, selected.Select(FigureCatalog.Get).ToList());
}

RunContext Context(string repo, Profile profile, ParseResult r)
{
    var device = ParseDevice(r.GetValue(deviceOption));
    var dataRoot = r.GetValue(dataRootOption);
    return new RunContext(profile, repo, r.GetValue(cacheOption), string.IsNullOrEmpty(dataRoot) ? null : dataRoot, device, Log, r.GetValue(threadsOption),
        ParseOneDnn(r.GetValue(onednnOption)))
    { ReportsRoot = ReportsRoot(r, repo), TrajectoryDir = r.CommandResult.Command.Options.Contains(trajectoryOption) ? r.GetValue(trajectoryOption) : null };
}

string ReportsRoot(ParseResult r, string repo) => RunContext.ReportsRootFor(repo, r.GetValue(reportsOption));

// Before the long work: temporaries of ended runs go, and whatever the figures will need is checked.
void Prepare(IReadOnlyList<IFigure> figures, RunContext context)
{
    AtomicFile.RemoveDeadTemporaries([context.CacheRoot, FigureRunner.ReportDirectory(context.ReportsRoot, context.Profile.Name)], Log);
    FigureRunner.Preflight(figures, context);
}

static DeviceChoice? ParseDevice(string? text) => ParseChoice<DeviceChoice>(text, "--device");

static OneDnnMode? ParseOneDnn(string? text) => ParseChoice<OneDnnMode>(text, "--onednn");

/// <summary>An option naming one of <typeparamref name="T"/>'s members, in any case; null when not given.</summary>
static T? ParseChoice<T>(string? text, string option) where T : struct, Enum => string.IsNullOrEmpty(text) ? null
    : Enum.GetValues<T>().Select(v => (T?)v).FirstOrDefault(v => v.ToString()!.Equals(text, StringComparison.OrdinalIgnoreCase))
      ?? throw new ConfigException($"{option} is '{text}'; allowed values: {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");

string Plan(string repo, Profile profile, ParseResult r)
{
    int train, val;
    if (profile.Data.Kind == DataKind.Synthetic)
        (train, val) = (profile.Data.Synthetic!.Classes * profile.Data.Synthetic.TrainPerClass, profile.Data.Synthetic.Classes * profile.Data.Synthetic.ValPerClass);
    else
    {
        var dataRoot = r.GetValue(dataRootOption) ?? profile.Data.Root;
        if (!string.IsNullOrEmpty(dataRoot) && Directory.Exists(dataRoot))
            (train, val) = (new ImageFolderDataset(Path.Combine(dataRoot, "train")).Samples.Count, new ImageFolderDataset(Path.Combine(dataRoot, "val")).Samples.Count);
        else
            (train, val) = (profile.Plan?.TrainImages ?? 0, profile.Plan?.ValImages ?? 0);
    }
    return PlanView.Render(profile, Deviations.PaperFor(profile, repo), train, val);
}

/// <summary>Runs a command under the exit-code contract (README, Exit codes): 0 ok, 1 out of band, 2 bad input, 3 environment, 4 internal.</summary>
int Guard(ParseResult r, Func<int> action) => ExitCodes.Run(action, () => LogFolder(r), Console.Error);

// Crash logs go to the cache's logs/ folder; ExitCodes falls back to the temp folder when that cannot be written.
string LogFolder(ParseResult r)
{
    string? Given(Option<string?> o) => r.CommandResult.Command.Options.Contains(o) ? r.GetValue(o) : null;
    var cache = Given(cacheOption) ?? Path.Combine(Given(repoOption) ?? RepoRoot.Find(Directory.GetCurrentDirectory(), AppContext.BaseDirectory), ".cache");
    return Path.Combine(cache, "logs");
}
