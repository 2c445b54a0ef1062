using Repro.Data;

namespace Repro.Tests.Data;

public class ImageFolderTests
{
    static void WritePng(string path, byte shade)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bmp = new SkiaSharp.SKBitmap(8, 6);
        bmp.Erase(new SkiaSharp.SKColor(shade, 0, 0));
        ImageCodec.EncodeToFile(bmp, path);
    }

    [Fact]
    public void Classes_are_sorted_folder_names_like_torchvision()
    {
        using var tmp = new TempDir();
        foreach (var wnid in new[] { "n02085620", "n01440764", "n01443537" })
        {
            WritePng(tmp.Combine("train", wnid, "b.png"), 1);
            WritePng(tmp.Combine("train", wnid, "a.png"), 2);
        }
        File.WriteAllText(tmp.Combine("train", "n01440764", "notes.txt"), "not an image");
        var ds = new ImageFolderDataset(tmp.Combine("train"));
        Assert.Equal(["n01440764", "n01443537", "n02085620"], ds.Classes);
        Assert.Equal(6, ds.Samples.Count);
        Assert.EndsWith(Path.Combine("n01440764", "a.png"), ds.Samples[0].Path);
        Assert.Equal([0, 0, 1, 1, 2, 2], ds.Samples.Select(s => s.Label));
    }

    [Fact]
    public void Missing_folder_says_which_and_what_layout_is_expected()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => new ImageFolderDataset("/nonexistent/imagenet/train"));
        Assert.Contains("/nonexistent/imagenet/train", e.Message);
        Assert.Contains("ImageFolder layout", e.Message);
    }

    [Fact]
    public void Corrupt_png_names_the_file()
    {
        using var tmp = new TempDir();
        WritePng(tmp.Combine("ok.png"), 3);
        var bytes = File.ReadAllBytes(tmp.Combine("ok.png"));
        File.WriteAllBytes(tmp.Combine("broken.png"), bytes[..(bytes.Length / 3)]);
        File.WriteAllText(tmp.Combine("garbage.png"), "this is not a png");
        foreach (var name in new[] { "broken.png", "garbage.png" })
        {
            var e = Assert.Throws<CorruptImageException>(() => ImageCodec.Decode(tmp.Combine(name)));
            Assert.Contains(name, e.Message);
        }
    }

    [Fact]
    public void Val_split_with_other_classes_is_rejected()
    {
        using var tmp = new TempDir();
        WritePng(tmp.Combine("train", "cat", "1.png"), 1);
        WritePng(tmp.Combine("train", "dog", "1.png"), 1);
        WritePng(tmp.Combine("val", "cat", "1.png"), 1);
        var train = new ImageFolderDataset(tmp.Combine("train"));
        var val = new ImageFolderDataset(tmp.Combine("val"));
        var e = Assert.Throws<InvalidDataException>(() => val.RequireSameClassesAs(train));
        Assert.Contains("dog", e.Message);
    }
}
