using System.Security.Cryptography;
using Repro.Config;
using Repro.Data;
using Repro.Data.Synthetic;

namespace Repro.Tests.Data;

[Trait("Category", TestCategories.Unit)]
public class SyntheticDataTests
{
    static readonly SyntheticConfig Small = new() { Classes = 4, TrainPerClass = 3, ValPerClass = 2, ImageSize = 40 };

    static Dictionary<string, string> Hashes(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));

    [Fact]
    public void Same_seed_gives_identical_files_and_another_seed_differs()
    {
        using var tmp = new TempDir();
        SyntheticClassificationData.Write(tmp.Combine("a"), Small, seed: 5);
        SyntheticClassificationData.Write(tmp.Combine("b"), Small, seed: 5);
        SyntheticClassificationData.Write(tmp.Combine("c"), Small, seed: 6);
        var a = Hashes(tmp.Combine("a"));
        Assert.Equal(a, Hashes(tmp.Combine("b")));
        var c = Hashes(tmp.Combine("c"));
        Assert.Equal(a.Keys.Order(), c.Keys.Order());
        Assert.NotEqual(a[Path.Combine("train", "arrow", "arrow_00000.png")], c[Path.Combine("train", "arrow", "arrow_00000.png")]);
    }

    [Fact]
    public void Written_in_imagefolder_layout_with_masks_and_boxes()
    {
        using var tmp = new TempDir();
        var root = SyntheticClassificationData.Ensure(tmp.Path, Small, seed: 1);
        var train = new ImageFolderDataset(Path.Combine(root, "train"));
        var val = new ImageFolderDataset(Path.Combine(root, "val"));
        Assert.Equal(ShapeClasses.Names.Take(4), train.Classes);
        Assert.Equal(12, train.Samples.Count);
        Assert.Equal(8, val.Samples.Count);
        var img = ImageCodec.Decode(train.Samples[0].Path);
        Assert.Equal((40, 40), (img.Width, img.Height));
        var mask = ImageCodec.Decode(Path.Combine(root, "masks", "train", "arrow", "arrow_00000.png"));
        var objectPixels = Enumerable.Range(0, 40 * 40).Count(i => mask.Pixels[i * 3] > 127);
        Assert.InRange(objectPixels, 40, 40 * 40 - 40);
        var boxes = File.ReadAllLines(Path.Combine(root, "boxes.csv"));
        Assert.Equal("split,class,file,xmin,ymin,xmax,ymax", boxes[0]);
        Assert.Equal(20, boxes.Length - 1);
        Assert.True(File.Exists(Path.Combine(root, "manifest.yaml")));
    }

    [Fact]
    public void Texture_is_a_partial_cue_its_own_class_half_of_the_time_and_every_other_class_otherwise()
    {
        var rng = new Random(3);
        var draws = Enumerable.Range(0, 4000).Select(_ => ShapeClasses.TextureFor(2, classes: 5, rng)).ToList();
        var own = draws.Count(t => t == ShapeClasses.ClassTexture(2));
        Assert.InRange(own / 4000.0, ShapeClasses.OwnTextureShare - 0.03, ShapeClasses.OwnTextureShare + 0.03);
        var others = draws.Where(t => t != ShapeClasses.ClassTexture(2)).ToList();
        Assert.All(others, t => Assert.Contains(t, new[] { 0, 1, 3, 4 }.Select(ShapeClasses.ClassTexture)));
        Assert.All(new[] { 0, 1, 3, 4 }, c => Assert.InRange(others.Count(t => t == ShapeClasses.ClassTexture(c)), 400, 600));
        // one texture per class: colour separates them
        Assert.Equal(ShapeClasses.Count, Enumerable.Range(0, ShapeClasses.Count).Select(c => ShapeClasses.ClassTexture(c).Main).Distinct().Count());
    }

    [Fact]
    public void A_fifth_of_the_images_are_black_and_white_and_backgrounds_are_never_saturated()
    {
        using var tmp = new TempDir();
        var config = new SyntheticConfig { Classes = 4, TrainPerClass = 50, ValPerClass = 0, ImageSize = 40 };
        SyntheticClassificationData.Write(tmp.Path, config, seed: 2);
        var files = Directory.GetFiles(Path.Combine(tmp.Path, "train"), "*.png", SearchOption.AllDirectories);
        var grey = files.Count(f => ImageCodec.Decode(f).Pixels.Chunk(3).All(px => px[0] == px[1] && px[1] == px[2]));
        // binomial(200, 0.2): 40 expected, sd 5.7
        Assert.InRange(grey, 40 - 20, 40 + 20);
        foreach (var file in files.Take(20))
        {
            var image = ImageCodec.Decode(file);
            var mask = ImageCodec.Decode(file.Replace(Path.Combine(tmp.Path, "train"), Path.Combine(tmp.Path, "masks", "train")));
            var background = image.Pixels.Chunk(3).Where((_, i) => mask.Pixels[3 * i] < 128).ToList();
            // the desaturated background: channels within a small tint of each other, unlike the saturated objects
            Assert.All(background, px => Assert.InRange(px.Max() - px.Min(), 0, 40));
        }
    }

    [Fact]
    public void Ensure_reuses_the_cache()
    {
        using var tmp = new TempDir();
        var first = SyntheticClassificationData.Ensure(tmp.Path, Small, seed: 1);
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(first, "boxes.csv"));
        var logged = new List<string>();
        var second = SyntheticClassificationData.Ensure(tmp.Path, Small, seed: 1, logged.Add);
        Assert.Equal(first, second);
        Assert.Empty(logged);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(second, "boxes.csv")));
    }
}
