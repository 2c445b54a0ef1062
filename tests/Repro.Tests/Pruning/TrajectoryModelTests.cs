using Repro.Config;
using Repro.Figures;
using Repro.Training;

namespace Repro.Tests.Pruning;

[Trait("Category", TestCategories.Integration)]
public sealed class TrajectoryModelTests : IDisposable
{
    readonly TempDir _tmp = new();
    readonly string _cache;

    public TrajectoryModelTests() => _cache = _tmp.Path;

    public void Dispose() => _tmp.Dispose();

    static Profile TinyProfile(ModelConfig model, PruningMethod method = PruningMethod.Magnitude, double? snipSparsity = null, int iterations = 1) => new()
    {
        Name = "unit",
        Seed = 1,
        Device = DeviceChoice.Cpu,
        Data = new DataConfig
        {
            Kind = DataKind.Synthetic,
            Synthetic = new SyntheticConfig { Classes = 2, TrainPerClass = 8, ValPerClass = 4, ImageSize = 32 },
            ImageSize = 32,
            ResizeSize = 32,
            TrainAugmentation = TrainAugmentation.None,
            EvalBatchSize = 8,
            Prefetch = 0,
        },
        Models = [model],
        Schedule = new ScheduleConfig { Epochs = 1, BatchSize = 8, Lr = 0.01, LrSchedule = LrScheduleKind.Constant },
        Pruning = new PruningConfig { Method = method, Rate = 0.2, Iterations = iterations, SnipSparsity = snipSparsity },
        Figures = ["accuracy"],
    };

    RunContext Context(Profile p) => new(ProfileLoader.Validate(p, "unit profile"), _cache, _cache, null, DeviceChoice.Cpu, _ => { });

    public static TheoryData<string> Models => new() { "resnet18", "resnet50", "vit_b_32", "vit_s_16", "swin_v2_t" };

    static ModelConfig Small(string architecture) => architecture switch
    {
        "resnet18" or "resnet50" => new ModelConfig { Architecture = architecture, Width = 0.0625, Depths = [1, 1, 1, 1] },
        "swin_v2_t" => new ModelConfig { Architecture = architecture, Width = 0.125, Depths = [1, 1] },
        _ => new ModelConfig { Architecture = architecture, Width = 0.05, Depths = [1], PatchSize = 8 },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_model_runs_a_pruning_trajectory_and_the_accuracy_figure(string architecture)
    {
        var context = Context(TinyProfile(Small(architecture)));
        var metrics = new Trajectory(context, Small(architecture)).Ensure();
        Assert.Equal(2, metrics.Count);
        Assert.Equal(metrics[1].PrunableWeights - (long)Math.Round(0.2 * metrics[1].PrunableWeights), metrics[1].NonzeroWeights);
        var measured = new AccuracyFigure().Measure(context, FigureFolder.ForMeasurement(Path.GetTempPath()));
        Assert.Contains(measured.Values, v => v.Metric == "top1" && v.Iteration == 1 && v.Series == Small(architecture).Key);
    }

    [Fact]
    public void Snip_trajectory_prunes_once_to_its_target_and_trains_once()
    {
        var model = Small("resnet18");
        var context = Context(TinyProfile(model, PruningMethod.Snip, snipSparsity: 0.914, iterations: 5));
        var trajectory = new Trajectory(context, model);
        Assert.Equal(0, trajectory.Iterations);
        var metrics = trajectory.Ensure();
        var only = Assert.Single(metrics);
        Assert.Equal(0.914, only.NominalSparsity);
        Assert.Equal(only.PrunableWeights - (long)Math.Round(0.914 * only.PrunableWeights), only.NonzeroWeights);
        var (_, masks) = trajectory.Load(0);
        using (masks) Assert.Equal(only.NonzeroWeights, masks.RemainingCount);
    }

    [Fact]
    public void Snip_without_a_target_is_rejected()
    {
        var e = Assert.Throws<ConfigException>(() => Context(TinyProfile(Small("resnet18"), PruningMethod.Snip)));
        Assert.Contains("pruning.snip_sparsity", e.Message);
    }
}
