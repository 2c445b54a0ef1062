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
