using Repro.Config;
using Repro.Data.ModelVsHuman;
using Repro.Data.Synthetic;
using Repro.Measurement.Alignment.Evaluation;
using Repro.Measurement.Alignment.Metrics;

namespace Repro.Tests.Data;

[Trait("Category", TestCategories.Unit)]
public class SyntheticModelVsHumanTests
{
    static readonly SyntheticConfig Data = new() { Classes = 3, TrainPerClass = 1, ValPerClass = 1, ImageSize = 32 };

    // the eidolons are left out: each image costs about two seconds (the factory works on 512² planes)
    static AlignmentConfig Alignment(int seed = 4) => new()
    {
        Source = AlignmentSource.Synthetic,
        Datasets = ["silhouette", "cue-conflict", "colour", "false-colour", "rotation", "power-equalisation", "sketch"],
        ParametricImagesPerClass = 2,
        NonParametricImagesPerClass = 3,
        Seed = seed,
    };

    static IReadOnlyList<string> Classes => ShapeClasses.Names.Take(Data.Classes).ToList();

    [Fact]
    public void Generated_sets_use_the_benchmark_layout_and_read_back_through_the_loader()
    {
        using var dir = new TempDir();
        var log = new List<string>();
        var root = SyntheticModelVsHuman.Ensure(dir.Path, Data, Alignment(), log.Add);
        var datasets = SyntheticModelVsHuman.DatasetsFolder(root);
        Assert.True(File.Exists(Path.Combine(datasets, "rotation", "session-1", SyntheticModelVsHuman.SessionFileName(1, "rotation", "0", "arrow", 0))));
        Assert.True(File.Exists(Path.Combine(datasets, "silhouette", "arrow", "arrow1.png")));

        foreach (var name in Alignment().Datasets)
        {
            var info = ModelVsHumanDatasets.Get(name);
            var set = ModelVsHumanDataset.Open(datasets, name, categories: Classes);
            var perCell = info.Parametric ? 2 : 3;
            Assert.Equal(Classes.Count * info.Conditions.Count * perCell, set.Images.Count);
            foreach (var cell in set.Images.GroupBy(i => (i.Category, i.Condition)))
                Assert.Equal(perCell, cell.Count());
            Assert.Equal(info.Conditions.Order(), set.Images.Select(i => i.Condition).Distinct().Order());
            Assert.Equal(set.Images.Count, set.Images.Select(i => (i.Condition, i.ImageId)).Distinct().Count());
        }
        var cue = ModelVsHumanDataset.Open(datasets, "cue-conflict", categories: Classes);
        Assert.All(cue.Images, i => Assert.NotEqual(i.Category, i.TextureCategory));

        // the benchmark's own 16 categories do not include the synthetic classes
        Assert.Contains("is not one of the 16", Assert.Throws<Repro.Data.DataFileException>(() => ModelVsHumanDataset.Open(datasets, "silhouette")).Message);

        // the same images come back as evaluation data, the dense model as the reference (no human data)
        var suite = OodSuite.Open(datasets, null, ["rotation", "cue-conflict"], Classes, parametricPerClass: 1, nonParametricPerClass: null);
        Assert.Equal(ReferenceKind.DenseModel, suite.Reference);
        Assert.Equal(Classes.Count * 4, suite.Datasets[0].Images.Count);
        Assert.Equal(Classes.Count * 3, suite.Datasets[1].Textures.Count);
        Assert.All(suite.Datasets[0].Images, i => Assert.Equal((32, 32), (i.Image.Width, i.Image.Height)));

        // generated once: a second call finds the folder complete
        var generated = log.Count;
        Assert.Equal(root, SyntheticModelVsHuman.Ensure(dir.Path, Data, Alignment(), log.Add));
        Assert.Equal(generated, log.Count);
    }

    [Fact]
    public void Generation_is_deterministic_in_the_seed_and_the_fingerprint_follows_the_config()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        var config = Alignment();
        config.Datasets = ["colour", "silhouette"];
        SyntheticModelVsHuman.Write(a.Path, Data, config);
        SyntheticModelVsHuman.Write(b.Path, Data, config);
        var files = Directory.GetFiles(a.Path, "*.png", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a.Path, f)).Order().ToList();
        Assert.Equal(files, Directory.GetFiles(b.Path, "*.png", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b.Path, f)).Order());
        Assert.All(files, f => Assert.Equal(File.ReadAllBytes(Path.Combine(a.Path, f)), File.ReadAllBytes(Path.Combine(b.Path, f))));

        var fingerprint = SyntheticModelVsHuman.Fingerprint(Data, config);
        Assert.NotEqual(fingerprint, SyntheticModelVsHuman.Fingerprint(Data, Alignment(seed: 5)));
        config.ParametricImagesPerClass = 1;
        Assert.NotEqual(fingerprint, SyntheticModelVsHuman.Fingerprint(Data, config));
    }
}
