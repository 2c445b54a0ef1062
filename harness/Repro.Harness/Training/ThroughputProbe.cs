using System.Diagnostics;
using Repro.Config;
using Repro.Models;
using Repro.Pruning;
using Repro.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>One speed setting of <see cref="ThroughputProbe"/>; "defaults" leaves libtorch's own switches alone.</summary>
public sealed record SpeedSetting(string Name, bool? Tf32, bool ChannelsLast, bool FlatOptimizer = false)
{
    public static readonly IReadOnlyList<SpeedSetting> All =
    [
        new("defaults", null, false),
        new("tf32", true, false),
        new("tf32+channels_last", true, true),
        new("tf32+channels_last+flat_sgd", true, true, true),
    ];
}

/// <summary>What one workload measured: throughput, and for training steps the time per stage.</summary>
public sealed class SpeedResult
{
    static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The --json file of the speed command, which benchmarks/side-by-side/compare.py reads.</summary>
    public static string ToJson(IReadOnlyList<SpeedResult> results) => System.Text.Json.JsonSerializer.Serialize(results, Indented);

    public string Workload { get; set; } = "";
    public string Setting { get; set; } = "";
    public string Architecture { get; set; } = "";
    public int Batch { get; set; }
    public int ImageSize { get; set; }
    public double ImagesPerSecond { get; set; }
    public double Seconds { get; set; }
    /// <summary>Milliseconds per step and stage, timed with a device synchronisation between stages.</summary>
    public Dictionary<string, double> StageMs { get; set; } = [];
}

/// <summary>
/// The workloads of the side-by-side comparison with PyTorch (benchmarks/side-by-side/): a training step as
/// Trainer runs it (forward, cross-entropy, backward, then gradient masks, SGD with momentum and weight decay
/// and weight masks as one "optimizer_and_masks" stage) on a 20 %-pruned model, inference, and one pruning iteration (prune, one epoch of retraining,
/// evaluation) on a fixed random set held on the device. The same workloads, op for op, are in
/// benchmarks/side-by-side/pytorch_side_by_side.py.
/// </summary>
public sealed class ThroughputProbe
{
    readonly Device device;
    readonly ModelConfig modelConfig;
    readonly int batch, imageSize, classes;

    public ThroughputProbe(Device device, ModelConfig modelConfig, int batch, int imageSize, int classes = 1000)
    {
        TorchRuntime.Require("ThroughputProbe");
        (this.device, this.modelConfig, this.batch, this.imageSize, this.classes) = (device, modelConfig, batch, imageSize, classes);
    }

    public int WarmupSteps { get; init; } = 10;
    public int Steps { get; init; } = 30;

    (nn.Module<Tensor, Tensor> Model, PruningMasks Masks) Build(SpeedSetting setting)
    {
        if (setting.Tf32 is { } tf32) TorchRuntime.ApplyTf32(device, tf32);
        manual_seed(0);
        var net = ModelZoo.Create(modelConfig, classes, imageSize);
        net.to(device);
        if (setting.ChannelsLast) MemoryLayout.ToChannelsLast(net);
        return (net, OneShotMagnitudePruning.Prune(net, PrunedLayers.ConvAndLinear, 0.2));
    }

    (Tensor X, Tensor Y) Batch(SpeedSetting setting, int n, int seed)
    {
        manual_seed(seed);
        var x = randn(n, 3, imageSize, imageSize, device: device);
        var y = randint(0, classes, [n], device: device);
        return (setting.ChannelsLast ? MemoryLayout.ChannelsLast(x) : x, y);
    }

    void Sync()
    {
        if (device.type == TorchSharp.DeviceType.CUDA) cuda.synchronize(device);
    }

    public SpeedResult TrainStep(SpeedSetting setting)
    {
        var (model, masks) = Build(setting);
        using var _m = model;
        using var _k = masks;
        using var optimizer = IMaskedSgd.Create(model, masks, 0.01, 0.9, 1e-4, setting.FlatOptimizer);
        var (x, y) = Batch(setting, batch, 1);
        using var _x = x;
        using var _y = y;
        model.train();
        void Step(Action<string>? stage)
        {
            using var scope = NewDisposeScope();
            var loss = nn.functional.cross_entropy(model.call(x), y);
            stage?.Invoke("forward");
            optimizer.ZeroGrad();
            loss.backward();
            stage?.Invoke("backward");
            optimizer.Step();
            stage?.Invoke("optimizer_and_masks");
        }
        for (var i = 0; i < WarmupSteps; i++) Step(null);
        Sync();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < Steps; i++) Step(null);
        Sync();
        var seconds = sw.Elapsed.TotalSeconds;

        var stages = new Dictionary<string, double>();
        var stageClock = new Stopwatch();
        void Stage(string name)
        {
            Sync();
            stages[name] = stages.GetValueOrDefault(name) + stageClock.Elapsed.TotalMilliseconds;
            stageClock.Restart();
        }
        for (var i = 0; i < Steps; i++)
        {
            Sync();
            stageClock.Restart();
            Step(Stage);
        }
        return new SpeedResult
        {
            Workload = "train_step", Setting = setting.Name, Architecture = modelConfig.Key, Batch = batch, ImageSize = imageSize,
            ImagesPerSecond = Steps * batch / seconds, Seconds = seconds,
            StageMs = stages.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value / Steps, 3)),
        };
    }

    public SpeedResult Inference(SpeedSetting setting)
    {
        var (model, masks) = Build(setting);
        using var _m = model;
        using var _k = masks;
        var (x, y) = Batch(setting, batch, 2);
        using var _x = x;
        using var _y = y;
        model.eval();
        using var _g = no_grad();
        void Step()
        {
            using var scope = NewDisposeScope();
            model.call(x).argmax(1);
        }
        for (var i = 0; i < WarmupSteps; i++) Step();
        Sync();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < Steps; i++) Step();
        Sync();
        return new SpeedResult
        {
            Workload = "inference", Setting = setting.Name, Architecture = modelConfig.Key, Batch = batch, ImageSize = imageSize,
            ImagesPerSecond = Steps * batch / sw.Elapsed.TotalSeconds, Seconds = sw.Elapsed.TotalSeconds,
        };
    }

    /// <summary>Prune 20 % of the remaining weights, retrain one epoch over <paramref name="images"/> images, evaluate on a quarter as many.</summary>
    public SpeedResult PruningIteration(SpeedSetting setting, int images)
    {
        var (model, masks) = Build(setting);
        using var _m = model;
        using var _k = masks;
        var (trainX, trainY) = Batch(setting, images, 3);
        var (valX, valY) = Batch(setting, Math.Max(batch, images / 4), 4);
        using var _a = trainX;
        using var _b = trainY;
        using var _c = valX;
        using var _d = valY;
        Sync();
        var sw = Stopwatch.StartNew();
        GlobalMagnitudePruner.Prune(masks, 0.2);
        using (var optimizer = IMaskedSgd.Create(model, masks, 0.01, 0.9, 1e-4, setting.FlatOptimizer))
        {
            model.train();
            for (var start = 0; start + batch <= images; start += batch)
            {
                using var scope = NewDisposeScope();
                var loss = nn.functional.cross_entropy(model.call(trainX.narrow(0, start, batch)), trainY.narrow(0, start, batch));
                optimizer.ZeroGrad();
                loss.backward();
                optimizer.Step();
            }
        }
        model.eval();
        using (no_grad())
        using (var correct = zeros(1, dtype: ScalarType.Int64, device: device))
        {
            for (var start = 0; start < valX.shape[0]; start += batch)
            {
                using var scope = NewDisposeScope();
                var n = (int)Math.Min(batch, valX.shape[0] - start);
                correct.add_(model.call(valX.narrow(0, start, n)).argmax(1).eq(valY.narrow(0, start, n)).sum(), Scalars.One);
            }
            correct.item<long>();
        }
        Sync();
        return new SpeedResult
        {
            Workload = "pruning_iteration", Setting = setting.Name, Architecture = modelConfig.Key, Batch = batch, ImageSize = imageSize,
            ImagesPerSecond = images / sw.Elapsed.TotalSeconds, Seconds = sw.Elapsed.TotalSeconds,
        };
    }
}
