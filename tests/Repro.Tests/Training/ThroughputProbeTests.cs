using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Repro.Config;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Tests.Training;

[Trait("Category", TestCategories.Unit)]
public class ThroughputProbeTests
{
    const int Batch = 2, Steps = 2, Images = 4, ImageSize = 32;
    static readonly ModelConfig Model = new() { Architecture = "resnet18", Width = 0.25 };

    /// <summary>Runs <paramref name="workload"/>, with the wall-clock seconds of the whole call.</summary>
    static (SpeedResult Result, double Seconds) Timed(Func<SpeedResult> workload)
    {
        var clock = Stopwatch.StartNew();
        var result = workload();
        return (result, clock.Elapsed.TotalSeconds);
    }

    static void AssertDescribes(SpeedResult result, string workload, SpeedSetting setting, int images, double callSeconds)
    {
        Assert.Equal((workload, setting.Name, Model.Key, Batch, ImageSize),
                     (result.Workload, result.Setting, result.Architecture, result.Batch, result.ImageSize));
        // The rate is the images the timed loop went through over its seconds, and those seconds lie inside the call.
        // (Inference and the pruning iteration read their running stopwatch twice, so the product runs a little over.)
        Assert.InRange(result.ImagesPerSecond * result.Seconds / images, 1 - 1e-9, 1.2);
        Assert.InRange(result.Seconds, 1e-6, callSeconds);
    }

    [Fact]
    public void Every_workload_runs_at_every_setting_and_reports_its_stages()
    {
        var probe = new ThroughputProbe(CPU, Model, Batch, ImageSize, classes: 5) { WarmupSteps = 1, Steps = Steps };
        foreach (var setting in SpeedSetting.All)
        {
            var (step, stepCall) = Timed(() => probe.TrainStep(setting));
            AssertDescribes(step, "train_step", setting, Steps * Batch, stepCall);
            Assert.Equal(["forward", "backward", "optimizer_and_masks"], step.StageMs.Keys);
            Assert.All(step.StageMs.Values, ms => Assert.True(ms > 0, "every stage does work"));
            // The staged pass runs the same steps after the timed one, in the same call, its times per step in milliseconds.
            var stagedSeconds = step.StageMs.Values.Sum() * Steps / 1000;
            Assert.InRange(step.Seconds + stagedSeconds, 0, stepCall + 1e-5);
            Assert.InRange(stagedSeconds / step.Seconds, 0.05, 20);

            var (inference, inferenceCall) = Timed(() => probe.Inference(setting));
            AssertDescribes(inference, "inference", setting, Steps * Batch, inferenceCall);
            Assert.Empty(inference.StageMs);

            var (iteration, iterationCall) = Timed(() => probe.PruningIteration(setting, Images));
            AssertDescribes(iteration, "pruning_iteration", setting, Images, iterationCall);
        }
    }

    [Fact]
    public void The_json_the_speed_command_writes_has_the_keys_the_comparison_script_reads_and_round_trips()
    {
        var probe = new ThroughputProbe(CPU, Model, Batch, ImageSize, classes: 5) { WarmupSteps = 0, Steps = 1 };
        List<SpeedResult> results = [probe.TrainStep(SpeedSetting.All[0]), probe.Inference(SpeedSetting.All[0])];
        // benchmarks/side-by-side/compare.py reads these names
        var json = SpeedResult.ToJson(results);
        var rows = JsonNode.Parse(json)!.AsArray();
        Assert.Equal("train_step", (string)rows[0]!["Workload"]!);
        Assert.Equal("defaults", (string)rows[0]!["Setting"]!);
        Assert.Equal(results[0].ImagesPerSecond, (double)rows[0]!["ImagesPerSecond"]!);
        Assert.Equal(results[0].StageMs["backward"], (double)rows[0]!["StageMs"]!["backward"]!);

        var back = JsonSerializer.Deserialize<List<SpeedResult>>(json)!;
        Assert.Equal(json, SpeedResult.ToJson(back));
    }
}
