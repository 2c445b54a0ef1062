using Repro.Config;
using Repro.Figures;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Tests.Training;

[Trait("Category", TestCategories.Integration)]
public class ControlTrajectoryTests
{
    static Profile ControlProfile(int iterations = 2)
    {
        var p = TestSupport.TinyProfile(iterations);
        p.Pruning.Control = true;
        return p;
    }

    static (Trajectory Pruned, Trajectory Control) Arms(RunContext context)
    {
        var arms = Trajectory.Arms(context, context.Profile.Models[0]);
        Assert.Equal(2, arms.Count);
        Assert.False(arms[0].IsControl);
        Assert.True(arms[1].IsControl);
        Assert.Same(arms[0], arms[1].Pruned);
        return (arms[0], arms[1]);
    }

    static bool SameWeights(nn.Module a, nn.Module b)
    {
        var other = b.state_dict();
        return a.state_dict().All(kv => kv.Value.allclose(other[kv.Key], rtol: 0, atol: 0));
    }

    [Fact]
    public void The_control_starts_from_the_pruned_dense_model_and_retrains_it_without_pruning()
    {
        using var tmp = new TempDir();
        var log = new List<string>();
        var (pruned, control) = Arms(TestSupport.Context(ControlProfile(), tmp.Path, log));
        Assert.Equal("resnet18-w0.25-control", control.SeriesKey);
        Assert.Equal("resnet18-w0.25", pruned.SeriesKey);
        Assert.NotEqual(pruned.Store.Directory, control.Store.Directory);
        Assert.Equal(Path.GetDirectoryName(pruned.Store.Directory), Path.GetDirectoryName(control.Store.Directory));

        var metrics = control.Ensure();

        Assert.Equal(3, metrics.Count);
        Assert.All(metrics, m => Assert.Equal((0.0, 0.0, m.PrunableWeights), (m.MeasuredSparsity, m.NominalSparsity, m.NonzeroWeights)));
        // Only the dense model was trained for it on the pruned side; the pruned arm's own iterations are left to it.
        Assert.Equal(0, pruned.Store.LastCompleted(2));
        Assert.Equal(File.ReadAllBytes(pruned.Store.CheckpointPath(0)), File.ReadAllBytes(control.Store.CheckpointPath(0)));
        Assert.Contains(log, l => l.Contains("control iter 1/2") && l.Contains("training"));

        var (dense, _) = pruned.Load(0);
        var (control0, masks0) = control.Load(0);
        var (control1, masks1) = control.Load(1);
        Assert.True(SameWeights(dense, control0));
        Assert.False(SameWeights(control0, control1));
        Assert.Equal(masks1.TotalCount, masks1.RemainingCount);
        foreach (var d in new IDisposable[] { dense, control0, control1, masks0, masks1 }) d.Dispose();
    }

    [Fact]
    public void An_interrupted_control_resumes_with_identical_results()
    {
        using var tmp = new TempDir();
        var profile = ControlProfile();
        var straight = Arms(TestSupport.Context(profile, tmp.Combine("straight"))).Control.Ensure();

        var cache = tmp.Combine("interrupted");
        var first = Arms(TestSupport.Context(profile, cache)).Control;
        Assert.Throws<OperationCanceledException>(() => first.Ensure(stopAfter: 1));
        Assert.Equal(1, first.Store.LastCompleted(2));

        var log = new List<string>();
        var resumed = Arms(TestSupport.Context(profile, cache, log)).Control.Ensure();
        Assert.Contains(log, l => l.Contains("resuming after iteration 1"));
        Assert.DoesNotContain(log, l => l.Contains("iter 1/2") && l.Contains("training"));
        Assert.Equal(straight.Select(m => (m.Iteration, m.NonzeroWeights, m.Top1, m.TrainLoss)),
                     resumed.Select(m => (m.Iteration, m.NonzeroWeights, m.Top1, m.TrainLoss)));
    }

    [Fact]
    public void A_control_with_snip_is_refused()
    {
        using var tmp = new TempDir();
        var profile = ControlProfile();
        profile.Pruning.Method = PruningMethod.Snip;
        profile.Pruning.SnipSparsity = 0.5;
        var fromProfile = Assert.Throws<ConfigException>(() => ProfileLoader.Validate(profile, "p.yaml"));
        Assert.Contains("'pruning.control' is true, but method snip", fromProfile.Message);
        var context = TestSupport.Context(profile, tmp.Path);
        Assert.Throws<ConfigException>(() => Trajectory.Arms(context, profile.Models[0]));
        Assert.Throws<ConfigException>(() => new Trajectory(context, profile.Models[0], control: true));
    }

    [Fact]
    public void The_disk_estimate_counts_the_control()
    {
        using var tmp = new TempDir();
        var without = TestSupport.TinyProfile(iterations: 1);
        var off = FigureRunner.EstimateDisk([], TestSupport.Context(without, tmp.Path)).CheckpointBytes;
        var on = FigureRunner.EstimateDisk([], TestSupport.Context(ControlProfile(iterations: 1), tmp.Path));
        Assert.Equal(2 * off, on.CheckpointBytes);
        Assert.Contains("resnet18-w0.25-control", on.Detail);
    }
}

[Trait("Category", TestCategories.Unit)]
public class ControlPlanTests
{
    [Fact]
    public void The_plan_prices_the_control_retraining_runs_but_not_a_second_dense_run()
    {
        var p = TestSupport.TinyProfile(iterations: 2);
        p.Schedule.DenseEpochs = 5;
        Assert.DoesNotContain("-control", PlanView.Render(p, null, 24, 12));
        p.Pruning.Control = true;
        var lines = PlanView.Render(p, null, 24, 12).Split('\n');
        var pruned = lines.Single(l => l.StartsWith("resnet18-w0.25 ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var control = lines.Single(l => l.StartsWith("resnet18-w0.25-control ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // columns: model, iterations, final sparsity, epochs/iteration, batch, train images
        Assert.Equal(("2", "0.0%", "1"), (control[1], control[2], control[3]));
        Assert.Equal("168", pruned[5]); // (5 + 2 × 1) epochs × 24 images
        Assert.Equal("48", control[5]); // 2 × 1 epoch × 24 images
    }
}
