using Repro.Config;
using Repro.Training;

namespace Repro.Tests.Training;

[Trait("Category", TestCategories.Unit)]
public class TrajectoryStatusTests
{
    static void Complete(CheckpointStore store, int iteration, double seconds)
    {
        File.WriteAllText(store.CheckpointPath(iteration), "weights");
        ContentHash.SaveYaml(store.MetricsPath(iteration), new IterationMetrics { Iteration = iteration, TrainSeconds = seconds });
    }

    [Fact]
    public void Status_reads_iterations_epoch_lock_holder_and_time_left_from_the_cache_alone()
    {
        using var tmp = new TempDir();
        var folder = tmp.Combine("checkpoints/paper/resnet18-0123456789");
        Directory.CreateDirectory(folder);
        var store = new CheckpointStore(folder);
        // Epochs [4, 2, 2, 2]: iterations 0 and 1 took 20 s for 6 epochs; iteration 2 has 1 of 2 done, so 3 epochs are left.
        Complete(store, 0, 15);
        Complete(store, 1, 5);
        ContentHash.SaveYaml(store.ProgressPath, new TrajectoryProgress
        {
            Series = "resnet18", Seed = 2, Iteration = 2, Iterations = 3, Epoch = 1, EpochsPerIteration = [4, 2, 2, 2], IterationSeconds = 3,
            Updated = "2026-12-02T10:00:00Z",
        });
        using (CacheLock.Acquire(folder, "training resnet18", null))
        {
            var state = Assert.Single(TrajectoryStatus.Read(tmp.Path, "paper"));
            Assert.Equal(("resnet18", 2, 2, 4), (state.Series, state.Seed, state.Completed, state.Total));
            Assert.Equal(10, state.SecondsLeft!.Value, 9);
            Assert.Contains("what=training resnet18", state.Holder);
            var text = TrajectoryStatus.Render([state], tmp.Path, "paper", new DateTime(2026, 12, 2, 10, 0, 5, DateTimeKind.Utc));
            Assert.Matches(@"resnet18\s+2\s+2/4\s+iter 2: epoch 2/2\s+-\s+host=\S+ pid=\d+ since=\S+ what=training resnet18\s+10 s\s+2026-12-02T10:00:00Z", text);
        }
        var released = Assert.Single(TrajectoryStatus.Read(tmp.Path, "paper"));
        Assert.Null(released.Holder);
        Assert.Contains("free: no run trains it", TrajectoryStatus.Render([released], tmp.Path, "paper", DateTime.UtcNow));
    }

    [Fact]
    public void A_profile_without_trajectories_says_how_to_start_one() =>
        Assert.Contains("repro train --profile ci", TrajectoryStatus.Render(TrajectoryStatus.Read("/nonexistent", "ci"), "/nonexistent", "ci", DateTime.UtcNow));
}
