using Repro.Config;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Tests.Training;

[Trait("Category", TestCategories.Unit)]
public class ThroughputProbeTests
{
    [Fact]
    public void Every_workload_runs_at_every_setting_and_reports_its_stages()
    {
        var probe = new ThroughputProbe(CPU, new ModelConfig { Architecture = "resnet18", Width = 0.25 }, batch: 2, imageSize: 32, classes: 5) { WarmupSteps = 1, Steps = 2 };
        foreach (var setting in SpeedSetting.All)
        {
            var step = probe.TrainStep(setting);
            Assert.True(step.ImagesPerSecond > 0);
            Assert.Equal(["forward", "backward", "optimizer_and_masks"], step.StageMs.Keys);
            Assert.All(step.StageMs.Values, ms => Assert.True(ms >= 0));
            Assert.True(probe.Inference(setting).ImagesPerSecond > 0);
            var iteration = probe.PruningIteration(setting, images: 4);
            Assert.Equal("pruning_iteration", iteration.Workload);
            Assert.True(iteration.Seconds > 0);
        }
    }
}
