using Repro.Config;
using Repro.Models;
using Repro.Training;

namespace Repro.Tests.Training;

[Trait("Category", TestCategories.Integration)]
public class TrajectoryTests
{
    [Fact]
    public void An_interrupted_run_resumes_after_the_last_completed_iteration_with_identical_results()
    {
        using var tmp = new TempDir();
        var profile = TestSupport.TinyProfile(iterations: 2);

        var straight = new Trajectory(TestSupport.Context(profile, tmp.Combine("straight")), profile.Models[0]).Ensure();

        var cache = tmp.Combine("interrupted");
        var first = new Trajectory(TestSupport.Context(profile, cache), profile.Models[0]);
        Assert.Throws<OperationCanceledException>(() => first.Ensure(stopAfter: 0));
        Assert.Equal(0, first.Store.LastCompleted(2));
        var iteration0 = File.GetLastWriteTimeUtc(first.Store.CheckpointPath(0));

        var log = new List<string>();
        var resumed = new Trajectory(TestSupport.Context(profile, cache, log), profile.Models[0]).Ensure();
        Assert.Contains(log, l => l.Contains("resuming after iteration 0"));
        Assert.DoesNotContain(log, l => l.Contains("iter 0/2") && l.Contains("training"));
        Assert.Equal(iteration0, File.GetLastWriteTimeUtc(first.Store.CheckpointPath(0)));
        Assert.Equal(straight.Select(m => (m.Iteration, m.NonzeroWeights, m.Top1, m.TrainLoss)),
                     resumed.Select(m => (m.Iteration, m.NonzeroWeights, m.Top1, m.TrainLoss)));

        var cachedLog = new List<string>();
        new Trajectory(TestSupport.Context(profile, cache, cachedLog), profile.Models[0]).Ensure();
        Assert.Contains(cachedLog, l => l.Contains("all 3 iterations cached"));
    }

    [Fact]
    public void Sparsity_per_iteration_matches_the_nominal_schedule()
    {
        using var tmp = new TempDir();
        var profile = TestSupport.TinyProfile(iterations: 3);
        var metrics = new Trajectory(TestSupport.Context(profile, tmp.Path), profile.Models[0]).Ensure();
        Assert.Equal(4, metrics.Count);
        foreach (var m in metrics)
            Assert.InRange(100 * (m.MeasuredSparsity - (1 - Math.Pow(0.8, m.Iteration))), -0.1, 0.1);
    }

    [Fact]
    public void A_checkpoint_of_another_model_is_refused_naming_both()
    {
        using var tmp = new TempDir();
        var profile = TestSupport.TinyProfile(iterations: 0);
        var trajectory = new Trajectory(TestSupport.Context(profile, tmp.Path), profile.Models[0]);
        trajectory.Ensure();
        var other = new ModelConfig { Architecture = "resnet50", Width = 0.25 };
        using var net = ModelZoo.Create(other, 3);
        var e = Assert.Throws<InvalidDataException>(() => CheckpointStore.Load(trajectory.Store.CheckpointPath(0), net,
            new CheckpointInfo("resnet50", 0.25, 3, 0, "ConvAndLinear", "")));
        Assert.Contains("resnet18 width 0.25", e.Message);
        Assert.Contains("resnet50 width 0.25", e.Message);
        Assert.Contains(trajectory.Store.CheckpointPath(0), e.Message);
    }

    [Fact]
    public void A_truncated_checkpoint_names_the_file()
    {
        using var tmp = new TempDir();
        var profile = TestSupport.TinyProfile(iterations: 0);
        var trajectory = new Trajectory(TestSupport.Context(profile, tmp.Path), profile.Models[0]);
        trajectory.Ensure();
        var path = trajectory.Store.CheckpointPath(0);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => trajectory.Load(0));
        Assert.Contains(path, e.Message);
    }
}
