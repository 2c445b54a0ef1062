using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Repro.Config;
using Repro.Interop;
using Repro.Models;
using Repro.Pruning;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>
/// The iterative-magnitude-pruning trajectory with learning-rate rewinding: iteration 0 trains the dense
/// model; iteration k prunes rate × remaining weights of iteration k−1's model and retrains it with a fresh
/// optimizer and schedule. Each completed iteration is checkpointed; a rerun resumes after the last one,
/// and every figure reuses the same checkpoints. With pruning method snip the trajectory is one iteration:
/// SNIP prunes the freshly initialised model to pruning.snip_sparsity, then it is trained once.
/// The control arm (pruning.control) starts from the pruned arm's dense model and retrains it K times exactly as the
/// pruned arm does, without pruning: what pruning adds beyond the extra epochs.
/// With a trajectory folder (<see cref="RunContext.TrajectoryDir"/>) nothing is trained: each iteration's PyTorch
/// checkpoint is imported into the store (its masks, measured sparsity and val top-1), and the control is not available.
/// </summary>
public sealed class Trajectory(RunContext context, ModelConfig model, bool control = false)
{
    Trajectory? _pruned;

    /// <summary>The arms the profile trains for <paramref name="model"/>: the pruned one, then the control when pruning.control is on.</summary>
    public static IReadOnlyList<Trajectory> Arms(RunContext context, ModelConfig model)
    {
        var prunedArm = new Trajectory(context, model);
        if (!context.Profile.Pruning.Control) return [prunedArm];
        if (context.TrajectoryDir != null)
        {
            context.Log($"{model.Key}: {NoControlFromImport}; the figures run without it");
            return [prunedArm];
        }
        return [prunedArm, new Trajectory(context, model, control: true) { _pruned = prunedArm }];
    }

    public ModelConfig Model { get; } = model;
    /// <summary>True for the no-pruning control: masks stay dense, iteration 0 is the pruned arm's.</summary>
    public bool IsControl { get; } = control && context.Profile.Pruning.ControlProblem is { } problem
        ? throw new ConfigException($"profile '{context.Profile.Name}': 'pruning.control' {problem}")
        : control;
    /// <summary>The key of this arm's results series: the model's key, with "-control" for the control.</summary>
    public string SeriesKey => IsControl ? Model.Key + ControlSuffix : Model.Key;

    /// <summary>What a control's results series adds to its model's key.</summary>
    public const string ControlSuffix = "-control";
    /// <summary>The pruned trajectory of the same model (this one, for the pruned arm).</summary>
    public Trajectory Pruned => IsControl ? _pruned ??= new Trajectory(context, Model) : this;
    public int Iterations => context.Profile.Pruning.Method == PruningMethod.Snip ? 0 : context.Profile.IterationsFor(Model);
    /// <summary>
    /// checkpoints/&lt;profile&gt;/&lt;series key&gt;-&lt;fingerprint&gt;/: the control beside the pruned arm, under its own name;
    /// imported trajectories under checkpoints/&lt;profile&gt;/imported/, keyed by the source files' hashes.
    /// </summary>
    public CheckpointStore Store => _store ??= new(IsImported
        ? Path.Combine(context.CacheRoot, "checkpoints", context.Profile.Name, "imported", $"{Model.Key}-{StoreFingerprint}")
        : Path.Combine(context.CacheRoot, "checkpoints", context.Profile.Name, $"{SeriesKey}-{StoreFingerprint}"));
    CheckpointStore? _store;

    /// <summary>What the figures say when pruning.control is on but the checkpoints are imported.</summary>
    public const string NoControlFromImport =
        "the no-pruning control is not available from imported checkpoints (pruning.control is on, but a PyTorch trajectory folder holds the pruned arm only)";

    /// <summary>Whether this arm's checkpoints come from a PyTorch trajectory folder instead of training.</summary>
    public bool IsImported => context.TrajectoryDir != null;

    string StoreFingerprint => _fingerprint ??= IsImported ? ImportFingerprint() : Fingerprint(context, Model);
    string? _fingerprint;

    /// <summary>Bump when training numerics change (e.g. libtorch kernels switched), so old checkpoints are not reused.</summary>
    const int TrainingRevision = 3;

    /// <summary>Everything that changes a checkpoint's weights; the iteration count is left out so a trajectory can be extended.</summary>
    public static string Fingerprint(RunContext c, ModelConfig m) =>
        Fingerprint(c.Profile, m, c.Data.Fingerprint, c.Device.type, c.CpuThreads, c.CpuConvolutions);

    /// <summary>The fingerprint of <see cref="Fingerprint(RunContext, ModelConfig)"/> from its parts, without opening the data.</summary>
    public static string Fingerprint(Profile p, ModelConfig m, string dataFingerprint, DeviceType device, int? cpuThreads, string? cpuConvolutions)
    {
        var schedule = p.ScheduleFor(m);
        var key = JsonSerializer.Serialize(new
        {
            m.Architecture, m.Width, epochs = p.EpochsFor(m), data = dataFingerprint, p.Data.ImageSize, p.Data.ResizeSize,
            aug = p.Data.TrainAugmentation.ToString(), p.Data.CropScaleMin, Schedule = schedule, p.Pruning.Rate,
            method = p.Pruning.Method.ToString(), layers = p.Pruning.Layers.ToString(), p.Seed, TrainingRevision,
        });
        // Appended only when set, so fingerprints of profiles that do not use these knobs stay as they were.
        var perf = p.Performance;
        var knobs = JsonSerializer.Serialize(new
        {
            m.Depths, m.PatchSize, m.Dilation, p.Pruning.SnipSparsity, m.Lr,
            tf32 = perf.Tf32 && device == DeviceType.CUDA ? true : (bool?)null,
            channelsLast = perf.ChannelsLast && device == DeviceType.CUDA ? true : (bool?)null,
            deviceTransforms = perf.DeviceTransforms && device != DeviceType.CPU ? true : (bool?)null,
            threads = cpuThreads,
            convolutions = cpuConvolutions,
            recipe = RecipeKnobs(schedule),
        }, KnobsJson);
        if (knobs != "{}") key += knobs;
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..10].ToLowerInvariant();
    }

    static readonly JsonSerializerOptions KnobsJson = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>
    /// The schedule keys left out of its serialised form ([JsonIgnore]: the recipe keys added later) whose value differs
    /// from the default, by property name; null when all are at their defaults, so such schedules keep their fingerprints.
    /// </summary>
    static SortedDictionary<string, string>? RecipeKnobs(ScheduleConfig s)
    {
        var defaults = new ScheduleConfig { Epochs = s.Epochs, BatchSize = s.BatchSize };
        var set = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var prop in typeof(ScheduleConfig).GetProperties())
        {
            if (!prop.IsDefined(typeof(JsonIgnoreAttribute), inherit: false)) continue;
            var value = prop.GetValue(s);
            if (Equals(value, prop.GetValue(defaults))) continue;
            set[prop.Name] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "null";
        }
        return set.Count == 0 ? null : set;
    }

    /// <summary>
    /// What iteration <paramref name="iteration"/>'s checkpoint says about itself. Both arms carry the model's fingerprint,
    /// so the control's iteration 0, a byte copy of the pruned arm's, is exactly what the control expects.
    /// </summary>
    public CheckpointInfo Info(int iteration) => new(Model.Architecture, Model.Width, context.Data.NumClasses, iteration,
        context.Profile.Pruning.Layers.ToString(), StoreFingerprint, context.CpuThreads, context.CpuConvolutions);

    public nn.Module<Tensor, Tensor> NewModel()
    {
        manual_seed(context.Profile.Seed);
        return ModelZoo.Create(Model, context.Data.NumClasses, context.Profile.Data.ImageSize);
    }

    bool ChannelsLast => context.Profile.Performance.ChannelsLast && context.Device.type == DeviceType.CUDA;

    // The profile's CUDA speed settings meet the model here: TF32 (process-wide, recorded) and channels-last.
    void ToDevice(nn.Module net)
    {
        Torch.TorchRuntime.ApplyTf32(context.Device, context.Profile.Performance.Tf32);
        net.to(context.Device);
        if (ChannelsLast) MemoryLayout.ToChannelsLast(net);
    }

    /// <summary>Loads iteration <paramref name="iteration"/>'s weights (run <see cref="Ensure"/> first).</summary>
    public (nn.Module<Tensor, Tensor> Model, PruningMasks Masks) Load(int iteration)
    {
        var net = NewModel();
        var masks = CheckpointStore.Load(Store.CheckpointPath(iteration), net, Info(iteration));
        ToDevice(net);
        return (net, PruningMasks.From(net, context.Profile.Pruning.Layers, masks));
    }

    public IReadOnlyList<IterationMetrics> ReadMetrics() =>
        Enumerable.Range(0, Iterations + 1)
            .Select(Store.ReadMetrics)
            .ToList();

    /// <summary>Trains whatever iterations are missing; <paramref name="stopAfter"/> simulates an interruption.</summary>
    public IReadOnlyList<IterationMetrics> Ensure(int? stopAfter = null)
    {
        if (IsImported)
        {
            if (IsControl) throw new ConfigException($"{SeriesKey}: {NoControlFromImport}");
            Import();
            var imported = ReadMetrics();
            context.Log($"{SeriesKey}: iterations 0..{Iterations} imported from {ImportFolder}, measured sparsity " +
                        string.Join(", ", imported.Select(m => m.MeasuredSparsity.ToString("P2"))));
            return imported;
        }
        EnsureThrough(Iterations, stopAfter);
        return ReadMetrics();
    }

    /// <summary>The model's folder in the trajectory folder (its key, else its architecture, as the authors name them).</summary>
    public string ImportFolder => _importFolder ??= PyTorchTrajectory.ModelFolder(context.TrajectoryDir!, Model);
    string? _importFolder;

    /// <summary>
    /// The checkpoints of iterations 0..<see cref="Iterations"/>, by iteration number. A folder with more iterations
    /// gives the profile's count (logged); one with fewer is refused: the figures would show another trajectory than asked.
    /// </summary>
    public IReadOnlyList<TrajectoryFile> ImportFiles => _importFiles ??= SelectImportFiles();
    IReadOnlyList<TrajectoryFile>? _importFiles;

    IReadOnlyList<TrajectoryFile> SelectImportFiles()
    {
        var files = PyTorchTrajectory.Find(ImportFolder);
        var last = files.Count - 1;
        if (last < Iterations)
            throw new ConfigException(
                $"{ImportFolder}: holds pruning iterations 0..{last}, but profile '{context.Profile.Name}' asks for 0..{Iterations} of {Model.Key}. " +
                $"Set models[].iterations (or pruning.iterations) to {last}, or add the checkpoints of iterations {last + 1}..{Iterations}.");
        if (last > Iterations)
            context.Log($"{Model.Key}: {ImportFolder} holds iterations 0..{last}; the profile asks for 0..{Iterations}, so {last - Iterations} are left out " +
                        "(raise models[].iterations or pruning.iterations to use them)");
        return files.Take(Iterations + 1).ToList();
    }

    /// <summary>Bump when what an import computes changes (the top-1 evaluation, the masks' reading).</summary>
    const int ImportRevision = 1;

    /// <summary>The imported store's key: the source files' content, the model they are read into, the val set and the CPU settings of the top-1.</summary>
    string ImportFingerprint()
    {
        var p = context.Profile;
        var key = JsonSerializer.Serialize(new
        {
            Model.Architecture, Model.Width, Model.Depths, Model.PatchSize, Model.Dilation, data = context.Data.Fingerprint,
            p.Data.ImageSize, p.Data.ResizeSize, layers = p.Pruning.Layers.ToString(), p.Pruning.Rate,
            files = ImportFiles.Select(f => PyTorchTrajectory.Sha256(f.Path)), threads = context.CpuThreads,
            convolutions = context.CpuConvolutions, device = context.Device.type.ToString(), ImportRevision,
        });
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..10].ToLowerInvariant();
    }

    /// <summary>Imports whatever iterations the store lacks: masks and weights from each file, then its val top-1. No training.</summary>
    void Import()
    {
        var p = context.Profile;
        if (Store.LastCompleted(Iterations) == Iterations) return;
        using var entryLock = CacheLock.Acquire(Store.Directory, $"importing {SeriesKey}", context.Log);
        var valLoader = context.Data.ValLoader(p);
        for (var k = 0; k <= Iterations; k++)
        {
            if (Store.IsComplete(k)) continue;
            var file = ImportFiles[k];
            using var net = NewModel();
            PruningMasks masks;
            try
            {
                masks = PyTorchCheckpoint.Load(file.Path, net, p.Pruning.Layers);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException(
                    $"{Model.Key} pruning iteration {k}: {e.Message} Make models[] of profile '{p.Name}' (architecture, width, depths, " +
                    $"patch_size) and the class count ({context.Data.NumClasses}) those the trajectory was trained with, or point --trajectory at its own folder.", e);
            }
            using var ownedMasks = masks;
            // measured before the move to the device, which gives the model new parameter tensors
            var (sparsity, prunable, nonzero) = (masks.MeasuredSparsity(), masks.TotalCount, masks.RemainingCount);
            ToDevice(net);
            var top1 = Trainer.Evaluate(net, valLoader, context.Device, ChannelsLast);
            var hash = PyTorchTrajectory.Sha256(file.Path);
            var metrics = new IterationMetrics
            {
                Iteration = k,
                NominalSparsity = GlobalMagnitudePruner.NominalSparsity(p.Pruning.Rate, k),
                MeasuredSparsity = sparsity,
                PrunableWeights = prunable,
                NonzeroWeights = nonzero,
                Top1 = top1,
                TrainLoss = double.NaN,
                Device = context.DeviceDescription,
                ImportedFrom = $"{file.Path} (sha256 {hash})",
            };
            if (ChannelsLast) MemoryLayout.ToContiguous(net);
            Store.Save(k, net, masks, Info(k), metrics);
            context.Log($"{SeriesKey} iter {k}/{Iterations}: imported {file.Path}: measured sparsity {metrics.MeasuredSparsity:P2} " +
                        $"({metrics.NonzeroWeights:N0} of {metrics.PrunableWeights:N0} prunable weights left; masks from weight_mask where the file has them, " +
                        $"else its zero weights), val top-1 {top1:P2}, no training");
        }
    }

    /// <summary>Makes iterations 0..<paramref name="upTo"/> complete, training (or, for the control's 0, copying) what is missing.</summary>
    void EnsureThrough(int upTo, int? stopAfter = null)
    {
        var p = context.Profile;
        if (Store.LastCompleted(upTo) == upTo)
        {
            context.Log($"{SeriesKey}: all {upTo + 1} iterations cached in {Store.Directory}");
            return;
        }
        // A concurrent run training the same trajectory holds the lock; what it completed meanwhile is resumed from.
        using var entryLock = CacheLock.Acquire(Store.Directory, $"training {SeriesKey}", context.Log);
        var last = Store.LastCompleted(upTo);
        if (last == upTo)
        {
            context.Log($"{SeriesKey}: all {upTo + 1} iterations cached in {Store.Directory} by another run");
            return;
        }
        if (IsControl && last < 0)
        {
            CopyDenseModel();
            last = 0;
            if (stopAfter == 0 && upTo > 0)
                throw new OperationCanceledException("stopped after iteration 0 as requested");
            if (upTo == 0) return;
        }
        nn.Module<Tensor, Tensor> net;
        PruningMasks masks;
        if (last >= 0)
        {
            context.Log($"{SeriesKey}: resuming after iteration {last} from {Store.CheckpointPath(last)}");
            (net, masks) = Load(last);
        }
        else
        {
            net = NewModel();
            ToDevice(net);
            masks = PruningMasks.Dense(net, p.Pruning.Layers);
        }
        using var ownedMasks = masks;
        // From here a stop request is checkpointed at the next step (or after the iteration being evaluated and saved).
        using var checkpointing = StopSignal.Checkpointing();
        var transformDevice = p.Performance.DeviceTransforms ? context.Device : null;
        var trainLoader = context.Data.TrainLoader(p, transformDevice, p.ScheduleFor(Model));
        var valLoader = context.Data.ValLoader(p, transformDevice);
        for (var k = last + 1; k <= upTo; k++)
        {
            var resumeFile = new ResumeCheckpoint(Store.ResumePath(k), Info(k));
            using var from = resumeFile.Exists ? resumeFile.Load(net) : null;
            if (from != null)
            {
                masks.CopyFrom(from.Masks);
                context.Log($"{SeriesKey}: resuming iteration {k} at epoch {from.Position.Epoch + 1}/{from.Position.Epochs}, step {from.Position.Step} from {resumeFile.Path}");
            }
            // The control retrains as pruned iteration k does (epochs, schedule, seed: the same data order), but prunes nothing.
            else if (k > 0 && !IsControl) GlobalMagnitudePruner.Prune(masks, p.Pruning.Rate);
            else if (k == 0 && p.Pruning.Method == PruningMethod.Snip) PruneWithSnip(net, masks, trainLoader);
            var label = $"{SeriesKey} iter {k}/{Iterations} ({(IsControl ? "no pruning, " : "")}{masks.MeasuredSparsity():P1} sparse)";
            context.Log($"{label}: training {p.EpochsFor(Model, k)} epochs on {trainLoader.Count} images");
            var iteration = k;
            var resume = new TrainingResume
            {
                EveryEpochs = p.Scheduler.CheckpointEveryEpochs,
                From = from,
                Save = (position, optimizer, ema) =>
                {
                    if (ChannelsLast) MemoryLayout.ToContiguous(net);
                    resumeFile.Save(position, net, masks, optimizer, ema);
                    if (ChannelsLast) MemoryLayout.ToChannelsLast(net);
                    WriteProgress(iteration, position);
                },
                EpochDone = position => WriteProgress(iteration, position),
                Describe = $"{SeriesKey} iteration {k} ({resumeFile.Path})",
            };
            var summary = Trainer.Train(net, masks, trainLoader, p.ScheduleFor(Model), p.LrFor(Model, k), p.EpochsFor(Model, k), context.Device,
                Seeds.Derive(p.Seed, k), context.Log, label, ChannelsLast, p.Performance.FlatOptimizer, valLoader, resume);
            var top1 = Trainer.Evaluate(net, valLoader, context.Device, ChannelsLast);
            var metrics = new IterationMetrics
            {
                Iteration = k,
                NominalSparsity = IsControl ? 0
                    : p.Pruning.Method == PruningMethod.Snip ? p.Pruning.SnipSparsity!.Value
                    : GlobalMagnitudePruner.NominalSparsity(p.Pruning.Rate, k),
                MeasuredSparsity = masks.MeasuredSparsity(),
                PrunableWeights = masks.TotalCount,
                NonzeroWeights = masks.RemainingCount,
                Top1 = top1,
                TrainLoss = summary.FinalLoss,
                TrainSeconds = summary.Seconds,
                TrainImagesPerSecond = summary.ImagesPerSecond,
                Device = context.DeviceDescription,
                EmaTop1 = summary.EmaTop1,
            };
            if (ChannelsLast) MemoryLayout.ToContiguous(net);
            Store.Save(k, net, masks, Info(k), metrics);
            resumeFile.Delete();
            if (ChannelsLast) MemoryLayout.ToChannelsLast(net);
            context.Log($"{label}: val top-1 {top1:P2}{(summary.EmaTop1 is { } ema ? $" (weights' moving average: {ema:P2}; checkpointed and measured: the trained weights)" : "")}, {metrics.NonzeroWeights:N0} of {metrics.PrunableWeights:N0} weights left, {summary.Seconds:F0} s");
            if (stopAfter == k && k < upTo)
                throw new OperationCanceledException($"stopped after iteration {k} as requested");
            if (StopSignal.Requested is { } signal && k < upTo)
                throw new StoppedBySignalException($"{signal} during {SeriesKey} iteration {k}, which then completed and is checkpointed; rerun (or requeue) to go on with iteration {k + 1}");
        }
        net.Dispose();
    }

    /// <summary>Where this arm stands, for repro status: written at each epoch's end and with each checkpoint inside an iteration.</summary>
    void WriteProgress(int iteration, TrainingPosition position)
    {
        var p = context.Profile;
        ContentHash.SaveYaml(Store.ProgressPath, new TrajectoryProgress
        {
            Series = SeriesKey,
            Seed = p.Seed,
            Iteration = iteration,
            Iterations = Iterations,
            Epoch = position.Epoch,
            Step = position.Step,
            EpochsPerIteration = Enumerable.Range(0, Iterations + 1).Select(i => p.EpochsFor(Model, i)).ToList(),
            IterationSeconds = position.Seconds,
            Updated = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    /// <summary>
    /// The control's iteration 0 is the pruned arm's dense model, not a second one: trained there if missing, then its
    /// checkpoint and metrics copied byte for byte (checkpoint first: an iteration is complete once its metrics exist).
    /// </summary>
    void CopyDenseModel()
    {
        var source = Pruned;
        source.EnsureThrough(0);
        AtomicFile.Write(Store.CheckpointPath(0), tmp => File.Copy(source.Store.CheckpointPath(0), tmp, overwrite: true));
        AtomicFile.Write(Store.MetricsPath(0), tmp => File.Copy(source.Store.MetricsPath(0), tmp, overwrite: true));
        context.Log($"{SeriesKey}: iteration 0 is the dense model of {source.Store.Directory}, copied");
    }

    /// <summary>SNIP on one shuffled training batch (its own seed), before the single training run.</summary>
    void PruneWithSnip(nn.Module<Tensor, Tensor> net, PruningMasks masks, Data.BatchLoader trainLoader)
    {
        var p = context.Profile;
        using var batch = trainLoader.Batches(Seeds.Derive(p.Seed, SnipBatchSeedTag), p.ScheduleFor(Model).BatchSize).First();
        var removed = Snip.Prune(net, masks, batch.Images.to(context.Device), batch.Labels.to(context.Device), p.Pruning.SnipSparsity!.Value);
        context.Log($"{Model.Key}: SNIP on {batch.Count} images removed {removed:N0} of {masks.TotalCount:N0} prunable weights");
    }

    const long SnipBatchSeedTag = 0x534E4950; // "SNIP"
}
