using System.Text.Json.Serialization;

namespace Repro.Config;

public enum DeviceChoice { Auto, Cpu, Cuda }
public enum DataKind { Synthetic, ImageFolder }
public enum TrainAugmentation { RandomResizedCrop, FlipOnly, None }
public enum LrScheduleKind { Step, Cosine, Constant }
public enum OptimizerKind { Sgd, Adamw }
/// <summary>How the learning rate ramps up over schedule.warmup_epochs (torchvision's LinearLR or ConstantLR).</summary>
public enum WarmupMethod { Linear, Constant }
/// <summary>torchvision's auto-augment policies (train.py --auto-augment).</summary>
public enum AutoAugmentPolicy { Imagenet, Ra, TaWide, Augmix }
public enum ResizeInterpolation { Bilinear, Bicubic }
public enum PruningMethod { Magnitude, Snip }
/// <summary>Which weights pruning may remove. The fused attention in-projection (a raw parameter, not a Linear)
/// is left dense by the paper; conv_linear_and_attention_in_projection prunes it too.</summary>
public enum PrunedLayers { Conv, ConvAndLinear, ConvLinearAndAttentionInProjection }
public enum Fidelity { Paper, Corrected, Both }

public static class FidelityModes
{
    /// <summary>
    /// <paramref name="fidelity"/> when it names one mode; <see cref="Fidelity.Both"/> names two runs, which the caller
    /// resolves (one computation per mode) before asking <paramref name="what"/> for one.
    /// </summary>
    public static Fidelity RequireOne(this Fidelity fidelity, string what) => fidelity is Fidelity.Paper or Fidelity.Corrected
        ? fidelity
        : throw new ArgumentException($"{what}: fidelity '{fidelity.ToString().ToLowerInvariant()}' names two runs; use paper or corrected, one at a time", nameof(fidelity));
}
/// <summary>Where the model-vs-human sets come from: generated from the synthetic classes, or the benchmark's own folders.</summary>
public enum AlignmentSource { Synthetic, ModelVsHuman }

/// <summary>What the alignment figures do with a model-vs-human image that its dataset's index or human trials name but that is not on disk.</summary>
public enum MissingImagePolicy { Error, Skip }

/// <summary>How a run picks libtorch's CPU convolution kernels (profile key <c>performance.onednn</c>, <c>--onednn</c>).</summary>
public enum OneDnnMode
{
    /// <summary>oneDNN when the self-check on the run's own shapes agrees with libtorch's native kernels.</summary>
    Auto,
    /// <summary>oneDNN without the self-check.</summary>
    On,
    /// <summary>libtorch's native kernels (2-5x slower on CPU).</summary>
    Off,
}

/// <summary>
/// A top-level profile section that one figure owns: its YAML key and settings type. The profile reads it into
/// <see cref="Profile.Sections"/> without knowing the figure, so a figure's settings live beside the figure.
/// </summary>
public sealed record ProfileSection(string Key, Type Type);

/// <summary>One experiment configuration, read from profiles/&lt;name&gt;.yaml. Keys are snake_case in YAML.</summary>
public sealed class Profile
{
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public required int Seed { get; set; }
    public DeviceChoice Device { get; set; } = DeviceChoice.Auto;
    public Fidelity Fidelity { get; set; } = Fidelity.Paper;
    public required DataConfig Data { get; set; }
    public required List<ModelConfig> Models { get; set; }
    public required ScheduleConfig Schedule { get; set; }
    public required PruningConfig Pruning { get; set; }
    public required List<string> Figures { get; set; }
    public PlanConfig? Plan { get; set; }
    /// <summary>Images and attribution settings of the interpretability and heatmaps figures (experiment 1).</summary>
    public InterpretabilityConfig? Interpretability { get; set; }
    /// <summary>The sections figures own (<see cref="ProfileSection"/>), by key, as read from the file; a figure reads its own through <see cref="Section{T}"/>.</summary>
    [YamlDotNet.Serialization.YamlIgnore]
    public Dictionary<string, object> Sections { get; set; } = [];
    /// <summary>Speed options; the ones that change numerics are part of the checkpoint fingerprint.</summary>
    public PerformanceConfig Performance { get; set; } = new();
    /// <summary>The model-vs-human out-of-distribution sets the alignment figures evaluate (experiment 3).</summary>
    public AlignmentConfig? Alignment { get; set; }
    /// <summary>Seeds of the reference run from which expected-results bands are derived.</summary>
    public List<int> ReferenceSeeds { get; set; } = [];
    /// <summary>Existing PyTorch checkpoints to compute the figures from instead of training (--trajectory overrides it).</summary>
    public TrajectoryConfig? Trajectory { get; set; }
    /// <summary>Seeds, resources and checkpointing of a run spread over a cluster (repro submit) or over local devices.</summary>
    public SchedulerConfig Scheduler { get; set; } = new();

    /// <summary>The seeds whose trajectories a submission trains: scheduler.seeds, else the profile's seed.</summary>
    [YamlDotNet.Serialization.YamlIgnore]
    public IReadOnlyList<int> SubmissionSeeds => Scheduler.Seeds is { Count: > 0 } seeds ? seeds : [Seed];

    /// <summary>The figure-owned section <paramref name="key"/>, with its defaults (kept, so changes stick) when the file leaves it out.</summary>
    public T Section<T>(string key) where T : class, new() => (T)(Sections.TryGetValue(key, out var s) ? s : Sections[key] = new T());

    /// <summary>
    /// Seed of the generated images (training set, evaluation set, scenes) and of evaluation noise: fixed across training
    /// seeds, so that a verdict over seeds pairs the same images and the seed varies only the training.
    /// </summary>
    [YamlDotNet.Serialization.YamlIgnore]
    public int DataSeed => Data.Seed ?? 1;

    public int IterationsFor(ModelConfig m) => m.Iterations ?? Pruning.Iterations;
    /// <summary>The training recipe of <paramref name="m"/>: its own schedule, else the profile's (the model's epochs and lr keys still override).</summary>
    public ScheduleConfig ScheduleFor(ModelConfig m) => m.Schedule ?? Schedule;
    public int EpochsFor(ModelConfig m) => m.Epochs ?? ScheduleFor(m).Epochs;
    public double LrFor(ModelConfig m) => m.Lr ?? ScheduleFor(m).Lr;

    /// <summary>Peak learning rate of one training run at a pruning iteration: retraining may get its own.</summary>
    public double LrFor(ModelConfig m, int iteration) => iteration > 0 && ScheduleFor(m).RetrainLr is { } retrain ? retrain : LrFor(m);

    /// <summary>Epochs of one training run at a pruning iteration: the dense run may get its own budget.</summary>
    public int EpochsFor(ModelConfig m, int iteration) => iteration == 0 && ScheduleFor(m).DenseEpochs is { } dense ? dense : EpochsFor(m);
}

public sealed class DataConfig
{
    public required DataKind Kind { get; set; }
    /// <summary>Seed of the generated data, the same for every training seed (default 1); see <see cref="Profile.DataSeed"/>.</summary>
    public int? Seed { get; set; }
    /// <summary>ImageFolder root holding train/ and val/ (ImageNet layout). Overridden by --data-root.</summary>
    public string? Root { get; set; }
    public SyntheticConfig? Synthetic { get; set; }
    /// <summary>Synthetic localisation scenes (VOC and COCO20k layout) for the localisation figures; optional.</summary>
    public SyntheticScenesConfig? Scenes { get; set; }
    /// <summary>Side of the square network input (paper: 224).</summary>
    public required int ImageSize { get; set; }
    /// <summary>Eval resize of the shorter side before the centre crop (paper: 256).</summary>
    public required int ResizeSize { get; set; }
    public TrainAugmentation TrainAugmentation { get; set; } = TrainAugmentation.RandomResizedCrop;
    /// <summary>Lower bound of the RandomResizedCrop area fraction (torchvision: 0.08).</summary>
    public double CropScaleMin { get; set; } = 0.08;
    public int EvalBatchSize { get; set; } = 64;
    /// <summary>Batches decoded ahead of the consumer on a background thread.</summary>
    public int Prefetch { get; set; } = 2;
}

public sealed class SyntheticConfig
{
    public int Classes { get; set; } = 10;
    public required int TrainPerClass { get; set; }
    public required int ValPerClass { get; set; }
    /// <summary>Side of the generated images, in pixels.</summary>
    public required int ImageSize { get; set; }
    /// <summary>
    /// Object radius as a share of the image side, drawn from [min_object_scale, max_object_scale] per axis. Objects
    /// smaller than the image leave background-only cells in layer4's grid, so the features learn to tell them apart.
    /// </summary>
    public double MinObjectScale { get; set; } = DefaultMinObjectScale;
    public double MaxObjectScale { get; set; } = DefaultMaxObjectScale;
    public const double DefaultMinObjectScale = 0.16, DefaultMaxObjectScale = 0.26;
}

/// <summary>Synthetic scenes written in VOC layout (plus a COCO20k-style list and JSON); the seed derives from the profile's.</summary>
public sealed class SyntheticScenesConfig
{
    public required int Count { get; set; }
    /// <summary>Image sides are drawn independently from [min_side, max_side], so images are mostly non-square.</summary>
    public int MinSide { get; set; } = 120;
    public int MaxSide { get; set; } = 200;
    /// <summary>Sides are min_side plus a multiple of this: 32 makes every side a multiple of ResNet's stride, with no padded cells.</summary>
    public int SideMultiple { get; set; } = 1;
    /// <summary>Each scene holds 1..max_objects objects.</summary>
    public int MaxObjects { get; set; } = 3;
    /// <summary>
    /// Object radius as a share of the shorter side, drawn from [min_object_scale, max_object_scale] per axis.
    /// Objects several stride-32 cells across, on a background that fills most cells, give LOST and Grad-CAM
    /// patches that are wholly object or wholly background.
    /// </summary>
    public double MinObjectScale { get; set; } = 0.2;
    public double MaxObjectScale { get; set; } = 0.32;
    /// <summary>The first <c>classes</c> synthetic shape classes are used (match data.synthetic.classes).</summary>
    public int Classes { get; set; } = 10;
    /// <summary>Share of scenes in the val split; the rest form train (trainval = all).</summary>
    public double ValFraction { get; set; } = 0.5;
}

public sealed class ModelConfig
{
    /// <summary>resnet18 | resnet50 | vit_b_32 | vit_b_16 | vit_s_16 | swin_v2_t (see Models.ModelZoo).</summary>
    public required string Architecture { get; set; }
    /// <summary>Size multiplier (1.0 = torchvision's size): ResNet channels, ViT hidden/MLP size, Swin embedding size.</summary>
    public double Width { get; set; } = 1.0;
    /// <summary>Blocks per stage instead of the architecture's: ResNet 4 entries, ViT 1 (encoder layers), Swin 1-4 stages.</summary>
    public List<int>? Depths { get; set; }
    /// <summary>Patch side for ViT and Swin instead of the architecture's (ViT-B/32: 32, Swin: 4).</summary>
    public int? PatchSize { get; set; }
    /// <summary>ResNet's replace_stride_with_dilation for layer2..layer4, e.g. [false, false, true].</summary>
    public List<bool>? Dilation { get; set; }
    /// <summary>Pruning iterations for this model; defaults to pruning.iterations.</summary>
    public int? Iterations { get; set; }
    /// <summary>Epochs per training run for this model; defaults to schedule.epochs.</summary>
    public int? Epochs { get; set; }
    /// <summary>Peak learning rate for this model; defaults to schedule.lr (ViTs from scratch need a smaller one with SGD).</summary>
    public double? Lr { get; set; }
    /// <summary>This model's whole training recipe, replacing the top-level schedule (see <see cref="Profile.ScheduleFor"/>).</summary>
    public ScheduleConfig? Schedule { get; set; }

    [YamlDotNet.Serialization.YamlIgnore]
    public string Key
    {
        get
        {
            var key = Width == 1.0 ? Architecture : FormattableString.Invariant($"{Architecture}-w{Width:0.###}");
            if (PatchSize is { } patch) key += $"-p{patch}";
            if (Depths is { Count: > 0 }) key += $"-d{string.Join(".", Depths)}";
            if (Dilation is { Count: > 0 } && Dilation.Any(d => d)) key += $"-dil{string.Concat(Dilation.Select(d => d ? '1' : '0'))}";
            return key;
        }
    }
}

public sealed class ScheduleConfig
{
    public required int Epochs { get; set; }
    /// <summary>
    /// Epochs of the dense run (iteration 0) when it differs: short profiles train the dense model to
    /// convergence, as the paper's 90-epoch runs do, and retrain pruned models for <c>epochs</c>.
    /// </summary>
    public int? DenseEpochs { get; set; }
    public required int BatchSize { get; set; }
    public double Lr { get; set; } = 0.1;
    /// <summary>
    /// Peak learning rate of the retraining after each pruning step, when it differs (default: the model's lr). Short
    /// retraining budgets fine-tune at a lower rate instead of restarting the dense schedule.
    /// </summary>
    public double? RetrainLr { get; set; }
    public double Momentum { get; set; } = 0.9;
    public double WeightDecay { get; set; } = 1e-4;
    public LrScheduleKind LrSchedule { get; set; } = LrScheduleKind.Step;
    public int StepEpochs { get; set; } = 30;
    public double Gamma { get; set; } = 0.1;
    /// <summary>Cap on training images per epoch (null = the whole train split).</summary>
    public int? TrainImagesPerEpoch { get; set; }

    // The recipe keys below came after checkpoint fingerprints were fixed: [JsonIgnore] keeps them out of the serialised
    // schedule, and the fingerprint appends those that differ from their defaults (Trajectory.Fingerprint).

    /// <summary>sgd (momentum, coupled weight decay) or adamw (torch.optim.AdamW, decoupled weight decay).</summary>
    [JsonIgnore] public OptimizerKind Optimizer { get; set; } = OptimizerKind.Sgd;
    /// <summary>Weight decay of normalisation layers' weights and biases (torchvision --norm-weight-decay); null = weight_decay.</summary>
    [JsonIgnore] public double? NormWeightDecay { get; set; }
    /// <summary>Weight decay of the other biases (torchvision --bias-weight-decay); null = weight_decay.</summary>
    [JsonIgnore] public double? BiasWeightDecay { get; set; }
    /// <summary>Weight decay of the class token, position embedding and relative position bias tables (--transformer-embedding-decay); null = weight_decay.</summary>
    [JsonIgnore] public double? TransformerEmbeddingDecay { get; set; }
    /// <summary>Floor of the cosine schedule (torchvision --lr-min).</summary>
    [JsonIgnore] public double LrMin { get; set; }
    /// <summary>Epochs of warm-up before the main schedule (torchvision --lr-warmup-epochs; 0 = none).</summary>
    [JsonIgnore] public int WarmupEpochs { get; set; }
    /// <summary>linear ramps from warmup_decay × lr to lr; constant holds warmup_decay × lr (torchvision's default: constant).</summary>
    [JsonIgnore] public WarmupMethod WarmupMethod { get; set; } = WarmupMethod.Constant;
    /// <summary>The warm-up's starting factor of the peak rate (torchvision --lr-warmup-decay).</summary>
    [JsonIgnore] public double WarmupDecay { get; set; } = 0.01;
    [JsonIgnore] public double LabelSmoothing { get; set; }
    /// <summary>Beta(α, α) of mixup (0 = off); with cutmix on too, each batch gets one of the two (p = 0.5 each).</summary>
    [JsonIgnore] public double MixupAlpha { get; set; }
    [JsonIgnore] public double CutmixAlpha { get; set; }
    /// <summary>Largest total gradient 2-norm (torch.nn.utils.clip_grad_norm_); null = no clipping.</summary>
    [JsonIgnore] public double? ClipGradNorm { get; set; }
    /// <summary>torchvision's auto-augment policy of the training images; null = none.</summary>
    [JsonIgnore] public AutoAugmentPolicy? AutoAugment { get; set; }
    /// <summary>Probability of torchvision's RandomErasing per training image (0 = off).</summary>
    [JsonIgnore] public double RandomErase { get; set; }
    /// <summary>Repeated-augmentation sampler (torchvision --ra-sampler), each image <see cref="RaReps"/> times per epoch.</summary>
    [JsonIgnore] public bool RaSampler { get; set; }
    [JsonIgnore] public int RaReps { get; set; } = 3;
    /// <summary>An exponential moving average of the weights (torchvision --model-ema).</summary>
    [JsonIgnore] public bool ModelEma { get; set; }
    /// <summary>Optimizer steps between EMA updates (--model-ema-steps).</summary>
    [JsonIgnore] public int ModelEmaSteps { get; set; } = 32;
    [JsonIgnore] public double ModelEmaDecay { get; set; } = 0.99998;
    /// <summary>Mixed precision (torchvision --amp).</summary>
    [JsonIgnore] public bool Amp { get; set; }
    /// <summary>Resize interpolation of training and evaluation images.</summary>
    [JsonIgnore] public ResizeInterpolation Interpolation { get; set; } = ResizeInterpolation.Bilinear;
}

public sealed class PruningConfig
{
    public PruningMethod Method { get; set; } = PruningMethod.Magnitude;
    /// <summary>Share of the still-unpruned weights removed at each iteration (paper: 0.2).</summary>
    public required double Rate { get; set; }
    public required int Iterations { get; set; }
    public PrunedLayers Layers { get; set; } = PrunedLayers.ConvAndLinear;
    /// <summary>Target sparsity of method snip: pruned once at initialisation, then trained once (paper: 0.914).</summary>
    public double? SnipSparsity { get; set; }
    /// <summary>
    /// Also train a no-pruning control per model: iteration k retrains iteration k−1's dense model exactly as the pruned
    /// arm retrains (same epochs, schedule and seed), so a gain of pruning is told apart from a gain of more epochs.
    /// </summary>
    public bool Control { get; set; }

    /// <summary>Why <see cref="Control"/> cannot be on, or null: snip trains once and never retrains, so there is nothing to match.</summary>
    [YamlDotNet.Serialization.YamlIgnore]
    public string? ControlProblem => Control && Method == PruningMethod.Snip
        ? "is true, but method snip trains once and never retrains, so a no-pruning control has no retraining to match; " +
          "set pruning.control to false, or use method magnitude"
        : null;
}

/// <summary>Experiment 1: which segmented images are explained, and the attribution methods' settings.</summary>
public sealed class InterpretabilityConfig
{
    /// <summary>
    /// VOC2012 (a VOC2012 folder or one above it), relative to the data root unless absolute: the images are then
    /// VOC2012's own; without it, the synthetic scenes (data.scenes).
    /// </summary>
    public string? Voc12Root { get; set; }
    /// <summary>Segmentation split (ImageSets/Segmentation/&lt;split&gt;.txt); its sorted id list is cut to the first <see cref="Images"/>.</summary>
    public string Split { get; set; } = "trainval";
    public required int Images { get; set; }
    /// <summary>Images shown per method in the heatmaps figure (the first of the same list).</summary>
    public required int HeatmapImages { get; set; }
    /// <summary>
    /// Grad-CAM's layer, a module name as named_modules() lists it; null: the last block of each ResNet's layer4, the
    /// paper's (resnet18 layer4.1, resnet50 layer4.2).
    /// </summary>
    public string? GradCamLayer { get; set; }
    /// <summary>Gauss-Legendre steps of Integrated Gradients (paper: 50).</summary>
    public required int IgSteps { get; set; }
    /// <summary>Noisy copies SmoothGrad averages (paper: 2).</summary>
    public required int SmoothgradSamples { get; set; }
    /// <summary>SmoothGrad noise standard deviation in normalised space (paper: 1.0).</summary>
    public required double NoiseStd { get; set; }
}

/// <summary>
/// Speed options. TorchSharp 0.107 exposes neither autocast nor cuDNN autotuning (cudnn.benchmark), so
/// neither is offered; channels-last is made by strides because no call takes a memory format.
/// </summary>
public sealed class PerformanceConfig
{
    /// <summary>TF32 tensor cores for float32 matmul and cuDNN convolution (CUDA only).</summary>
    public bool Tf32 { get; set; }
    /// <summary>NHWC strides for 4-D weights and input batches (CUDA only: on CPU it only costs copies).</summary>
    public bool ChannelsLast { get; set; }
    /// <summary>Resize, crop, flip and normalise on the training device instead of the CPU (decoding stays on CPU threads).</summary>
    public bool DeviceTransforms { get; set; }
    /// <summary>
    /// One SGD update over all parameters as a flat buffer (a few kernels a step) instead of TorchSharp's
    /// per-parameter loop; the same arithmetic, so the same numbers (tested).
    /// </summary>
    public bool FlatOptimizer { get; set; }
    /// <summary>Threads decoding images ahead of training (0 = one per core).</summary>
    public int DecodeThreads { get; set; } = 1;
    /// <summary>
    /// libtorch's intra-op threads. CPU results depend on it (reductions split differently), so it is part of the
    /// checkpoint fingerprint, and expected results are kept per thread count. Empty: one per core this process may use.
    /// </summary>
    public int? Threads { get; set; }
    /// <summary>
    /// CPU convolution kernels: auto (oneDNN if a start-up self-check on the run's shapes agrees with libtorch's native
    /// kernels), on, or off. Numbers differ between the two, so the outcome is part of the checkpoint fingerprint.
    /// </summary>
    public OneDnnMode Onednn { get; set; } = OneDnnMode.Auto;

    /// <summary>The options that can move numbers, in words (what a band derived with them belongs to).</summary>
    public string Describe() =>
        $"tf32 {(Tf32 ? "on" : "off")}, channels_last {(ChannelsLast ? "on" : "off")}, device_transforms {(DeviceTransforms ? "on" : "off")}, " +
        $"onednn {Onednn.ToString().ToLowerInvariant()}";
}

/// <summary>What the plan view needs to price a profile on a GPU.</summary>
public sealed class PlanConfig
{
    /// <summary>Where the throughputs below were measured.</summary>
    public required string ReferenceDevice { get; set; }
    /// <summary>
    /// Measured end-to-end training throughput per architecture at full width, data pipeline included: what a run
    /// actually trains at (a bare training step is two to three times as fast on an H100, decoding being the limit).
    /// </summary>
    public required Dictionary<string, MeasuredThroughput> EndToEnd { get; set; }
    /// <summary>Measured inference images/s per architecture.</summary>
    public Dictionary<string, double> EvalImagesPerSecond { get; set; } = [];
    public int TrainImages { get; set; }
    public int ValImages { get; set; }
}

/// <summary>One measured throughput and where it was measured (run, device, settings, date).</summary>
public sealed class MeasuredThroughput
{
    public required double ImagesPerSecond { get; set; }
    public required string Measured { get; set; }
}

/// <summary>
/// The model-vs-human evaluation (experiment 3). <c>synthetic</c> generates the 17 sets from the synthetic classes
/// (the twelve distortions applied to freshly drawn images, and synthetic silhouette/edge/cue-conflict/sketch/stylized
/// sets) in the benchmark's folder layout and naming; <c>model_vs_human</c> reads the benchmark's release from
/// &lt;data root&gt;/model-vs-human/datasets/ (and its human trials from raw-data/ when present).
/// </summary>
public sealed class AlignmentConfig
{
    public required AlignmentSource Source { get; set; }
    /// <summary>Benchmark datasets evaluated, by the benchmark's names (all 17 in the paper).</summary>
    public required List<string> Datasets { get; set; }
    /// <summary>Images per class and condition of each parametric dataset; empty = every image (the benchmark's sets).</summary>
    public int? ParametricImagesPerClass { get; set; }
    /// <summary>Images per class of each non-parametric dataset; empty = every image (the benchmark's sets).</summary>
    public int? NonParametricImagesPerClass { get; set; }
    /// <summary>
    /// Seed of the generated synthetic sets. Fixed apart from the profile's seed, so that every reference seed's models
    /// are scored on the same test images, as the benchmark's fixed images are, and the sets are generated once.
    /// </summary>
    public int? Seed { get; set; }
    /// <summary>
    /// The Eidolon Factory's working size (benchmark: 256). Small synthetic images gain nothing from 256, where
    /// each eidolon costs about 2 s on two cores; reach and grain scale with it (see EidolonDistortion).
    /// </summary>
    public int EidolonPictureSize { get; set; } = DefaultEidolonPictureSize;
    /// <summary>The benchmark's eidolon working size, in pixels.</summary>
    public const int DefaultEidolonPictureSize = 256;
    /// <summary>error (default): a missing image stops the run, naming it; skip: it is left out and counted in the results.</summary>
    public MissingImagePolicy MissingImages { get; set; } = MissingImagePolicy.Error;
}

/// <summary>
/// A trajectory trained elsewhere: <c>dir/&lt;model&gt;/</c> holds one PyTorch checkpoint per pruning iteration
/// (Interop/PyTorchTrajectory.cs names the accepted file names); the figures import them instead of training.
/// </summary>
/// <summary>
/// How trajectories run as separate tasks (repro submit, repro train): the seeds, Slurm's resources per kind of task,
/// and how often a training run checkpoints inside an iteration. None of it changes a number.
/// </summary>
public sealed class SchedulerConfig
{
    /// <summary>Training seeds, one trajectory per model and seed; null: the profile's seed.</summary>
    public List<int>? Seeds { get; set; }
    /// <summary>Epochs between the checkpoints written inside a pruning iteration (weights, masks, optimizer, schedule, RNG).</summary>
    public int CheckpointEveryEpochs { get; set; } = 1;
    /// <summary>Slurm partition (sbatch --partition); null: the cluster's default.</summary>
    public string? Partition { get; set; }
    /// <summary>Slurm account charged (sbatch --account); null: the user's default.</summary>
    public string? Account { get; set; }
    /// <summary>Seconds before the time limit at which Slurm signals a task to checkpoint and requeue (--signal=B:USR1@N).</summary>
    public int SignalSeconds { get; set; } = 120;
    /// <summary>At most this many array tasks run at once (sbatch --array=…%N); null: no limit.</summary>
    public int? MaxConcurrent { get; set; }
    /// <summary>One task per (model, seed) trajectory.</summary>
    public TaskResources Train { get; set; } = new() { Gpus = 1, Cpus = 8, Memory = "32G", Time = "2-00:00:00" };
    /// <summary>One task per (figure, seed), after every trajectory is trained.</summary>
    public TaskResources Measure { get; set; } = new() { Gpus = 1, Cpus = 8, Memory = "32G", Time = "12:00:00" };
    /// <summary>The report, after every measurement.</summary>
    public TaskResources Report { get; set; } = new() { Gpus = 0, Cpus = 1, Memory = "4G", Time = "00:30:00" };
}

/// <summary>What one Slurm task asks for.</summary>
public sealed class TaskResources
{
    /// <summary>GPUs per task (--gpus-per-task); 0 asks for none.</summary>
    public int Gpus { get; set; }
    /// <summary>CPU cores per task (--cpus-per-task); also libtorch's thread count on a CPU task unless --threads says otherwise.</summary>
    public int Cpus { get; set; } = 1;
    /// <summary>Memory per node (--mem), Slurm's form: a number with K, M, G or T.</summary>
    public string Memory { get; set; } = "4G";
    /// <summary>Time limit (--time), Slurm's form: minutes, HH:MM:SS or D-HH:MM:SS.</summary>
    public string Time { get; set; } = "01:00:00";
}

public sealed class TrajectoryConfig
{
    /// <summary>The folder holding one sub-folder per model; a relative path is under the repository root.</summary>
    public required string Dir { get; set; }
}
