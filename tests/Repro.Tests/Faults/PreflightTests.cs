using Repro.Config;
using Repro.Data.Synthetic;
using Repro.Figures;
using Repro.Training;

namespace Repro.Tests.Faults;

[Trait("Category", TestCategories.Integration)]
public class PreflightTests
{
    static Profile ScenesProfile()
    {
        var p = TestSupport.TinyProfile(iterations: 1);
        p.Data.Scenes = new SyntheticScenesConfig { Count = 6, MinSide = 48, MaxSide = 64, MaxObjects = 2, Classes = 3 };
        p.Interpretability = new InterpretabilityConfig { Images = 2, HeatmapImages = 2, IgSteps = 4, SmoothgradSamples = 1, NoiseStd = 1.0 };
        p.Figures = ["interpretability"];
        return p;
    }

    /// <summary>A run context whose repository root is a temporary folder (its own reports/ and expected-results/).</summary>
    static RunContext Context(Profile profile, TempDir tmp, List<string>? log = null) =>
        new(profile, tmp.Combine("repo"), tmp.Combine("cache"), null, DeviceChoice.Cpu, m => log?.Add(m));

    [Fact]
    public void A_deleted_scene_mask_is_found_before_training_naming_the_file()
    {
        using var tmp = new TempDir();
        var profile = ScenesProfile();
        var context = Context(profile, tmp);
        var scenes = SyntheticScenes.Ensure(context.CacheRoot, profile.Data.Scenes!, profile.DataSeed);
        var mask = Directory.GetFiles(Path.Combine(SyntheticScenes.VocRoot(scenes), "SegmentationClass")).Order().First();
        File.Delete(mask);

        var e = Assert.Throws<ConfigException>(() => FigureRunner.Preflight([new InterpretabilityFigure(), new HeatmapsFigure()], context));
        Assert.Contains(mask, e.Message);
        Assert.Contains("2 problem(s) found before training", e.Message);
        Assert.False(Directory.Exists(Path.Combine(context.CacheRoot, "checkpoints")));
    }

    [Fact]
    public void A_missing_VOC_Annotations_folder_is_found_before_training()
    {
        using var tmp = new TempDir();
        var profile = ScenesProfile();
        var voc = tmp.Combine("VOC2007");
        Directory.CreateDirectory(Path.Combine(voc, "ImageSets", "Main"));
        Directory.CreateDirectory(Path.Combine(voc, "JPEGImages"));
        File.WriteAllText(Path.Combine(voc, "ImageSets", "Main", "trainval.txt"), "000001\n");
        DiscoveryConfig.Of(profile).Voc07Root = voc;
        DiscoveryConfig.Of(profile).Datasets = ["voc07-trainval"];

        var e = Assert.Throws<ConfigException>(() => FigureRunner.Preflight([new ObjectDiscoveryFigure()], Context(profile, tmp)));
        Assert.Contains(Path.Combine(voc, "Annotations", "000001.xml"), e.Message);
    }

    [Fact]
    public void A_real_model_vs_human_source_without_its_folders_is_found_before_training()
    {
        using var tmp = new TempDir();
        var profile = ScenesProfile();
        profile.Data.Root = tmp.Combine("data");
        profile.Alignment = new AlignmentConfig { Source = AlignmentSource.ModelVsHuman, Datasets = ["colour"] };

        var e = Assert.Throws<ConfigException>(() => FigureRunner.Preflight([new HumanAlignmentFigure()], Context(profile, tmp)));
        Assert.Contains(Path.Combine(tmp.Combine("data"), "model-vs-human", "datasets", "colour"), e.Message);
    }

    [Fact]
    public void A_reports_folder_that_cannot_be_written_is_found_before_training()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.Combine("repo"));
        // a file where the folder should be: unwritable even for root, unlike a chmod
        File.WriteAllText(tmp.Combine("repo", "reports"), "");
        var context = Context(TestSupport.TinyProfile(), tmp);

        var e = Assert.Throws<EnvironmentException>(() => FigureRunner.Preflight([new AccuracyFigure()], context));
        Assert.Contains(Path.Combine(tmp.Combine("repo"), "reports", "tiny"), e.Message);
        Assert.Contains("not writable", e.Message);
        Assert.False(Directory.Exists(Path.Combine(context.CacheRoot, "checkpoints")));
    }

    [Fact]
    public void The_disk_estimate_matches_the_checkpoints_written_and_too_little_space_stops_the_run_stating_it()
    {
        using var tmp = new TempDir();
        var profile = TestSupport.TinyProfile(iterations: 1);
        var log = new List<string>();
        var context = Context(profile, tmp, log);
        var estimate = FigureRunner.EstimateDisk([new AccuracyFigure()], context);

        var e = Assert.Throws<EnvironmentException>(() => FigureRunner.Preflight([new AccuracyFigure()], context, _ => estimate.Bytes - 1));
        Assert.Contains("will write about", e.Message);
        Assert.Contains(estimate.Detail, e.Message);
        FigureRunner.Preflight([new AccuracyFigure()], context, _ => estimate.Bytes);
        Assert.Contains(log, l => l.StartsWith("preflight:"));

        var trajectory = new Trajectory(context, profile.Models[0]);
        trajectory.Ensure();
        var written = Enumerable.Range(0, 2).Sum(k => new FileInfo(trajectory.Store.CheckpointPath(k)).Length);
        Assert.InRange((double)estimate.CheckpointBytes / written, 0.95, 1.05);
        Assert.Equal(0, FigureRunner.EstimateDisk([new AccuracyFigure()], context).CheckpointBytes);
    }
}
