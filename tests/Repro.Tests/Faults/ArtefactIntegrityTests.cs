using Repro.Config;
using Repro.Figures;
using Repro.Report;
using Repro.Results;
using Repro.Training;

namespace Repro.Tests.Faults;

/// <summary>Damaged checkpoints and results files are refused by name on load, never read as numbers.</summary>
[Trait("Category", TestCategories.Integration)]
public class ArtefactIntegrityTests
{
    static (TempDir Tmp, Trajectory Trajectory) TrainedTinyTrajectory()
    {
        var tmp = new TempDir();
        var profile = TestSupport.TinyProfile(iterations: 1);
        var trajectory = new Trajectory(TestSupport.Context(profile, tmp.Path), profile.Models[0]);
        trajectory.Ensure();
        return (tmp, trajectory);
    }

    static void AssertRefusedByName(string path, Action load)
    {
        var e = Assert.Throws<InvalidDataException>(load);
        Assert.Contains(path, e.Message);
        Assert.Contains("Delete it", e.Message);
    }

    [Fact]
    public void One_flipped_bit_anywhere_in_a_checkpoint_is_caught_by_name()
    {
        var (tmp, trajectory) = TrainedTinyTrajectory();
        using var _ = tmp;
        var path = trajectory.Store.CheckpointPath(1);
        var original = File.ReadAllBytes(path);
        trajectory.Load(1).Model.Dispose();
        // Header, weights, masks and the hash itself: every region is covered by the check.
        foreach (var position in new[] { 3, original.Length / 3, original.Length / 2, original.Length - 40, original.Length - 20 })
        {
            var damaged = (byte[])original.Clone();
            damaged[position] ^= 0x10;
            File.WriteAllBytes(path, damaged);
            AssertRefusedByName(path, () => trajectory.Load(1));
        }
        File.WriteAllBytes(path, original);
        trajectory.Load(1).Model.Dispose();
    }

    [Fact]
    public void A_block_of_0xFF_and_truncations_are_caught_before_any_tensor_is_read()
    {
        var (tmp, trajectory) = TrainedTinyTrajectory();
        using var _ = tmp;
        var path = trajectory.Store.CheckpointPath(0);
        var original = File.ReadAllBytes(path);
        var block = (byte[])original.Clone();
        Array.Fill(block, (byte)0xFF, original.Length / 2, 256);
        File.WriteAllBytes(path, block);
        AssertRefusedByName(path, () => trajectory.Load(0));
        foreach (var length in new[] { 0, 10, original.Length / 2, original.Length - 1 })
        {
            File.WriteAllBytes(path, original[..length]);
            Assert.Throws<InvalidDataException>(() => trajectory.Load(0));
        }
    }

    [Fact]
    public void A_changed_digit_in_an_iteration_metrics_file_is_caught_by_name()
    {
        var (tmp, trajectory) = TrainedTinyTrajectory();
        using var _ = tmp;
        var path = trajectory.Store.MetricsPath(1);
        var text = File.ReadAllText(path);
        var at = text.IndexOf("top1: ", StringComparison.Ordinal) + "top1: ".Length;
        File.WriteAllText(path, text[..at] + (text[at] == '0' ? '1' : '0') + text[(at + 1)..]);
        AssertRefusedByName(path, () => trajectory.ReadMetrics());
        // A rerun does not silently trust it either: the cached trajectory's metrics are read through the same check.
        AssertRefusedByName(path, () => trajectory.Ensure());
    }

    [Fact]
    public void A_checkpoint_from_before_content_hashes_is_refused_with_what_to_do()
    {
        var (tmp, trajectory) = TrainedTinyTrajectory();
        using var _ = tmp;
        var path = trajectory.Store.CheckpointPath(0);
        var bytes = File.ReadAllBytes(path);
        // The old format: magic REPRO-CKPT-1 and no trailer.
        bytes[12] = (byte)'1';
        File.WriteAllBytes(path, bytes);
        ContentHash.SealFile(path);
        var e = Assert.Throws<InvalidDataException>(() => trajectory.Load(0));
        Assert.Contains("older version", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Yaml_hash_line_round_trips_and_refuses_edits_and_missing_hashes()
    {
        using var tmp = new TempDir();
        var path = tmp["m.yaml"];
        ContentHash.SaveYaml(path, new IterationMetrics { Iteration = 3, Top1 = 0.5, Device = "cpu" });
        Assert.Equal(0.5, ContentHash.LoadYaml<IterationMetrics>(path, "x").Top1);
        var text = File.ReadAllText(path);
        Assert.EndsWith("\n", text);
        Assert.Matches(@"# content-hash: xxh128 [0-9a-f]{32}\n$", text);

        File.WriteAllText(path, text.Replace("top1: 0.5", "top1: 0.6"));
        Assert.Contains("does not match its hash", Assert.Throws<InvalidDataException>(() => ContentHash.LoadYaml<IterationMetrics>(path, "x")).Message);

        File.WriteAllText(path, text[..text.IndexOf("# content-hash", StringComparison.Ordinal)]);
        Assert.Contains("has no content hash", Assert.Throws<InvalidDataException>(() => ContentHash.LoadYaml<IterationMetrics>(path, "x")).Message);
    }

    [Fact]
    public void The_report_refuses_a_damaged_results_file_by_name()
    {
        using var tmp = new TempDir();
        var dir = Path.Combine(FigureRunner.ReportDirectory(tmp.Path, "tiny"), "accuracy");
        var results = new FigureResults
        {
            Figure = "accuracy", Title = "t", Profile = "tiny",
            Values = [new MeasuredValue { Series = "m", Metric = "top1", Iteration = 0, Value = 0.25 }],
        };
        var path = Path.Combine(dir, FigureRunner.ResultsFile);
        ContentHash.SaveYaml(path, results);
        HtmlReport.Write(tmp.Path, "tiny", [new AccuracyFigure()]);
        File.WriteAllText(path, File.ReadAllText(path).Replace("value: 0.25", "value: 0.75"));
        var e = Assert.Throws<InvalidDataException>(() => HtmlReport.Write(tmp.Path, "tiny", [new AccuracyFigure()]));
        Assert.Contains(path, e.Message);
        Assert.Contains("rerun the figure", e.Message);
    }

    [Fact]
    public void What_a_kill_during_a_checkpoint_write_leaves_is_ignored_and_the_resumed_trajectory_is_byte_identical()
    {
        using var tmp = new TempDir();
        var profile = TestSupport.TinyProfile(iterations: 1);
        var straight = new Trajectory(TestSupport.Context(profile, tmp.Combine("straight")), profile.Models[0]);
        straight.Ensure();

        var killed = new Trajectory(TestSupport.Context(profile, tmp.Combine("killed")), profile.Models[0]);
        Assert.Throws<OperationCanceledException>(() => killed.Ensure(stopAfter: 0));
        // A process killed while writing iteration 1 leaves its half-written temporary sibling (its pid in the name)
        // and no iteration-1 files; a kill between the checkpoint's rename and the metrics leaves the checkpoint alone.
        var half = File.ReadAllBytes(straight.Store.CheckpointPath(1));
        File.WriteAllBytes(Path.Combine(killed.Store.Directory, $".iter-01.ckpt.{AtomicFile.OwnerOf(int.MaxValue)}.tmp"), half[..(half.Length / 2)]);
        Assert.Equal(0, killed.Store.LastCompleted(1));
        File.WriteAllBytes(killed.Store.CheckpointPath(1), half[..(half.Length / 2)]);
        Assert.Equal(0, killed.Store.LastCompleted(1));

        new Trajectory(TestSupport.Context(profile, tmp.Combine("killed")), profile.Models[0]).Ensure();
        for (var k = 0; k <= 1; k++)
        {
            Assert.Equal(File.ReadAllBytes(straight.Store.CheckpointPath(k)), File.ReadAllBytes(killed.Store.CheckpointPath(k)));
            Assert.Equal(File.ReadAllText(straight.Store.MetricsPath(k)).Split("train_seconds")[0],
                         File.ReadAllText(killed.Store.MetricsPath(k)).Split("train_seconds")[0]);
        }
    }
}
