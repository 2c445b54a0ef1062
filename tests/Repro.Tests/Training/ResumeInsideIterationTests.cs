using Repro.Config;
using Repro.Training;

namespace Repro.Tests.Training;

/// <summary>
/// A training run stopped inside a pruning iteration, by a signal (a checkpoint at the next step) or by a kill (the last
/// epoch checkpoint), resumes to the same bytes as the run that was never stopped.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public sealed class ResumeInsideIterationTests : IDisposable
{
    public ResumeInsideIterationTests() => StopSignal.Clear();
    public void Dispose() => StopSignal.Clear();

    public static TheoryData<string> Recipes => ["sgd", "flat-sgd", "adamw-ema-mixup-erase"];

    static Profile Tiny(string recipe)
    {
        var profile = TestSupport.TinyProfile(iterations: 2);
        profile.Schedule.Epochs = 3;
        profile.Scheduler.CheckpointEveryEpochs = 1;
        profile.Performance.FlatOptimizer = recipe == "flat-sgd";
        if (recipe == "adamw-ema-mixup-erase")
        {
            profile.Schedule.Optimizer = OptimizerKind.Adamw;
            profile.Schedule.Lr = 0.001;
            profile.Schedule.ModelEma = true;
            profile.Schedule.ModelEmaSteps = 2;
            profile.Schedule.MixupAlpha = 0.2;
            profile.Schedule.CutmixAlpha = 1.0;
            profile.Schedule.RandomErase = 0.5;
        }
        return profile;
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void A_signal_mid_epoch_checkpoints_that_step_and_the_rerun_ends_bit_identical(string recipe)
    {
        using var tmp = new TempDir();
        var profile = Tiny(recipe);
        var straight = new Trajectory(TestSupport.Context(profile, tmp.Combine("straight")), profile.Models[0]);
        var straightMetrics = straight.Ensure();

        // The signal arrives while iteration 1 trains its second epoch: its first step is the last one taken.
        var cache = tmp.Combine("stopped");
        var stopped = new Trajectory(TestSupport.Context(profile, cache, LogTrigger("iter 1/2", "epoch 1/3", () => StopSignal.Request("SIGUSR1"))),
            profile.Models[0]);
        var e = Assert.Throws<StoppedBySignalException>(() => stopped.Ensure());
        Assert.Contains("SIGUSR1 during", e.Message);
        Assert.Equal(0, stopped.Store.LastCompleted(2));
        var position = ResumeCheckpoint.PeekPosition(stopped.Store.ResumePath(1));
        Assert.NotNull(position);
        Assert.Equal((1, 1), (position.Epoch, position.Step));
        Assert.Equal(ExitCode.Stopped, ExitCodes.Classify(e));

        StopSignal.Clear();
        var log = new List<string>();
        var resumed = new Trajectory(TestSupport.Context(profile, cache, log), profile.Models[0]).Ensure();
        Assert.Contains(log, l => l.Contains("resuming iteration 1 at epoch 2/3, step 1"));
        Assert.DoesNotContain(log, l => l.Contains("iter 1/2") && l.Contains("epoch 1/3"));
        AssertSameTrajectory(straight.Store, stopped.Store, straightMetrics, resumed);
    }

    [Fact]
    public void A_run_killed_after_epoch_k_resumes_from_that_epochs_checkpoint_bit_identical()
    {
        using var tmp = new TempDir();
        var profile = Tiny("sgd");
        profile.Schedule.DenseEpochs = 4;
        var straight = new Trajectory(TestSupport.Context(profile, tmp.Combine("straight")), profile.Models[0]);
        var straightMetrics = straight.Ensure();

        // A kill leaves no chance to checkpoint: the run dies as epoch 3 of the dense model ends, before its checkpoint.
        var cache = tmp.Combine("killed");
        var killed = new Trajectory(TestSupport.Context(profile, cache, LogTrigger("iter 0/2", "epoch 3/4", () => throw new KilledException())), profile.Models[0]);
        Assert.Throws<KilledException>(() => killed.Ensure());
        Assert.Equal(-1, killed.Store.LastCompleted(2));
        Assert.Equal((2, 0), (ResumeCheckpoint.PeekPosition(killed.Store.ResumePath(0))!.Epoch, ResumeCheckpoint.PeekPosition(killed.Store.ResumePath(0))!.Step));

        var log = new List<string>();
        var resumed = new Trajectory(TestSupport.Context(profile, cache, log), profile.Models[0]).Ensure();
        Assert.Contains(log, l => l.Contains("resuming iteration 0 at epoch 3/4, step 0"));
        AssertSameTrajectory(straight.Store, killed.Store, straightMetrics, resumed);
    }

    [Fact]
    public void A_resume_checkpoint_of_another_iteration_or_damaged_is_refused_naming_the_file()
    {
        using var tmp = new TempDir();
        var profile = Tiny("sgd");
        var cache = tmp.Combine("stopped");
        var stopped = new Trajectory(TestSupport.Context(profile, cache, LogTrigger("iter 0/2", "epoch 1/3", () => StopSignal.Request("SIGTERM"))), profile.Models[0]);
        Assert.Throws<StoppedBySignalException>(() => stopped.Ensure());
        StopSignal.Clear();
        var path = stopped.Store.ResumePath(0);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => new Trajectory(TestSupport.Context(profile, cache), profile.Models[0]).Ensure());
        Assert.Contains(path, e.Message);
        Assert.Contains("Delete it", e.Message);
    }

    static void AssertSameTrajectory(CheckpointStore expected, CheckpointStore actual, IReadOnlyList<IterationMetrics> expectedMetrics, IReadOnlyList<IterationMetrics> actualMetrics)
    {
        for (var k = 0; k < expectedMetrics.Count; k++)
        {
            Assert.True(File.ReadAllBytes(expected.CheckpointPath(k)).AsSpan().SequenceEqual(File.ReadAllBytes(actual.CheckpointPath(k))),
                $"iteration {k}'s checkpoint differs from the uninterrupted run's");
            Assert.False(File.Exists(actual.ResumePath(k)), $"iteration {k}'s resume checkpoint is left behind");
        }
        Assert.Equal(expectedMetrics.Select(m => (m.Iteration, m.NonzeroWeights, m.Top1, m.TrainLoss, m.MeasuredSparsity)),
                     actualMetrics.Select(m => (m.Iteration, m.NonzeroWeights, m.Top1, m.TrainLoss, m.MeasuredSparsity)));
    }

    sealed class KilledException : Exception;

    /// <summary>A log that runs <paramref name="action"/> once, at the first line holding both texts.</summary>
    static Action<string> LogTrigger(string first, string second, Action action)
    {
        var fired = false;
        return line =>
        {
            if (fired || !line.Contains(first) || !line.Contains(second)) return;
            fired = true;
            action();
        };
    }
}
