using Repro.Config;
using Repro.Data;
using Repro.Data.Png;
using Repro.Data.Synthetic;
using Repro.Data.Voc;
using Repro.Figures;

namespace Repro.Tests.Data;

[Trait("Category", TestCategories.Unit)]
public class SyntheticScenesTests
{
    static readonly SyntheticScenesConfig Config = new() { Count = 24, MinSide = 120, MaxSide = 200, MaxObjects = 3, Classes = 10 };

    [Fact]
    public void Scenes_load_strictly_through_the_VOC_loader()
    {
        using var dir = new TempDir();
        var root = SyntheticScenes.Ensure(dir.Path, Config, profileSeed: 1);
        var voc = SyntheticScenes.OpenVoc(root, Config, "trainval", VocTask.Segmentation);
        Assert.Equal(Config.Count, voc.Samples.Count);
        Assert.Empty(voc.Report.Skipped);
        var strict = VocDataset.Open(new VocOptions
        {
            Root = SyntheticScenes.VocRoot(root), Split = "trainval", Task = VocTask.Segmentation,
            Classes = SyntheticScenes.ClassNames(Config), DecodeAll = true,
        });
        Assert.Equal(Config.Count, strict.Report.Loaded);

        var train = SyntheticScenes.OpenVoc(root, Config, "train");
        var val = SyntheticScenes.OpenVoc(root, Config, "val");
        Assert.Equal(Config.Count / 2, val.Samples.Count);
        Assert.Empty(train.Samples.Select(s => s.Id).Intersect(val.Samples.Select(s => s.Id)));
        Assert.Equal(voc.Samples.Select(s => s.Id), train.Samples.Concat(val.Samples).Select(s => s.Id).Order());

        var sizes = voc.Samples.Select(s => (s.Annotation.Width, s.Annotation.Height)).ToList();
        Assert.All(sizes, s => { Assert.InRange(s.Width, 120, 200); Assert.InRange(s.Height, 120, 200); });
        Assert.True(sizes.Count(s => s.Width != s.Height) >= Config.Count - 2);
        Assert.All(voc.Samples, s => Assert.InRange(s.Annotation.Objects.Count, 1, 3));
        var objects = voc.Samples.SelectMany(s => s.Annotation.Objects).ToList();
        Assert.Contains(objects, o => o.Truncated);
        Assert.Contains(objects, o => !o.Truncated);
        Assert.Contains(voc.Samples, s => s.Annotation.Objects.Count > 1);
    }

    [Fact]
    public void Masks_agree_with_annotations_and_have_a_void_band()
    {
        using var dir = new TempDir();
        var voc = SyntheticScenes.OpenVoc(SyntheticScenes.Ensure(dir.Path, Config, 2), Config, "trainval", VocTask.Segmentation);
        foreach (var sample in voc.Samples)
        {
            var mask = VocDataset.ReadMask(sample);
            var labels = mask.Indices.Distinct().ToHashSet();
            Assert.Contains(VocLabels.Void, labels);
            Assert.Contains(VocLabels.Background, labels);
            var objectLabels = sample.Annotation.Objects.Select(o => (byte)o.Label).ToHashSet();
            Assert.Equal(objectLabels, labels.Where(VocLabels.IsObject).ToHashSet());
            // Every class pixel lies inside the union of that class's boxes; the void band hugs object edges only.
            for (var y = 0; y < mask.Height; y++)
                for (var x = 0; x < mask.Width; x++)
                {
                    var l = mask[y, x];
                    if (!VocLabels.IsObject(l)) continue;
                    Assert.Contains(sample.Annotation.Objects, o => o.Label == l && o.Box.XMin <= x && x < o.Box.XMax && o.Box.YMin <= y && y < o.Box.YMax);
                }
            Assert.All(sample.Annotation.Objects, o =>
            {
                Assert.InRange(o.XMin, 1, sample.Annotation.Width);
                Assert.InRange(o.XMax, o.XMin, sample.Annotation.Width);
            });
        }
    }

    [Fact]
    public void COCO_view_of_the_same_scenes_has_the_same_boxes()
    {
        using var dir = new TempDir();
        var root = SyntheticScenes.Ensure(dir.Path, Config, 3);
        var voc = SyntheticScenes.OpenVoc(root, Config, "trainval").ToLocalisation();
        var coco = SyntheticScenes.OpenCoco(root);
        Assert.Equal(Config.Count, coco.Samples.Count);
        Assert.Empty(coco.Report.Skipped);
        var cocoLoc = coco.ToLocalisation();
        for (var i = 0; i < voc.Count; i++)
        {
            Assert.Equal(voc[i].ImagePath, cocoLoc[i].ImagePath);
            Assert.Equal(voc[i].Objects.Select(o => (o.ClassName, o.Box)), cocoLoc[i].Objects.Select(o => (o.ClassName, o.Box)));
        }
    }

    [Fact]
    public void Generation_is_deterministic_and_cached_by_seed()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        var first = SyntheticScenes.Ensure(a.Path, Config, 4);
        var second = SyntheticScenes.Ensure(b.Path, Config, 4);
        var files = Directory.GetFiles(first, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(first, f)).Order().ToList();
        Assert.Equal(files, Directory.GetFiles(second, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(second, f)).Order());
        Assert.All(files, f => Assert.Equal(File.ReadAllBytes(Path.Combine(first, f)), File.ReadAllBytes(Path.Combine(second, f))));

        var logged = new List<string>();
        Assert.Equal(first, SyntheticScenes.Ensure(a.Path, Config, 4, logged.Add));
        Assert.Empty(logged); // served from the cache
        var other = SyntheticScenes.Ensure(a.Path, Config, 5, logged.Add);
        Assert.NotEqual(first, other);
        Assert.NotEmpty(logged);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(first, "VOC/JPEGImages/000001.jpg")), File.ReadAllBytes(Path.Combine(other, "VOC/JPEGImages/000001.jpg")));
        Assert.Empty(Directory.GetDirectories(Path.Combine(a.Path, "data"), "*.tmp-*"));
    }

    [Fact]
    public void Masks_are_palette_PNGs_of_the_image_size()
    {
        using var dir = new TempDir();
        var voc = SyntheticScenes.OpenVoc(SyntheticScenes.Ensure(dir.Path, Config, 6), Config, "val", VocTask.Segmentation);
        foreach (var s in voc.Samples)
        {
            var header = PalettePng.ReadHeader(s.MaskPath!);
            Assert.Equal(new PngHeader(s.Annotation.Width, s.Annotation.Height, 8, PngColourType.Palette, false), header);
            var rgb = ImageCodec.Decode(s.MaskPath!);
            var mask = PalettePng.Read(s.MaskPath!);
            Assert.Equal(VocLabels.Palette[mask[0, 0] * 3], rgb[0, 0, 0]);
        }
    }

    [Fact]
    public void Profiles_with_and_without_scenes_load()
    {
        var repo = TestSupport.RepoRoot;
        var smoke = ProfileLoader.Load(repo, "smoke");
        var ci = ProfileLoader.Load(repo, "ci");
        Assert.NotNull(smoke.Data.Scenes);
        Assert.NotNull(ci.Data.Scenes);
        Assert.True(ci.Data.Scenes!.Count < smoke.Data.Scenes!.Count);
        Assert.Null(ProfileLoader.Load(repo, "paper").Data.Scenes);
        var bad = ProfileLoader.Read(File.ReadAllText(Path.Combine(repo, "profiles", "ci.yaml")).Replace("max_side: 288", "max_side: 100"), "ci-edited");
        Assert.Contains("data.scenes.min_side/max_side", Assert.Throws<ConfigException>(() => ProfileLoader.Validate(bad, "ci-edited")).Message);
    }
}
