using Repro.Data;

namespace Repro.Tests.Data;

[Trait("Category", TestCategories.Unit)]
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

}
