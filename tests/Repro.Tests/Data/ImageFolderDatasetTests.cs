using Repro.Data;

namespace Repro.Tests.Data;

[Trait("Category", TestCategories.Unit)]
public class ImageFolderDatasetTests
{
    [Fact]
    public void Class_index_follows_sorted_wnid_folder_names()
    {
        using var dir = new TempDir();
        // Created out of order; ImageNet wnids as class folders.
        string[] created = ["n02102040", "n01440764", "n15075141", "n01443537", "n03000134"];
        foreach (var wnid in created)
            DataFixtures.WriteImage(dir[$"train/{wnid}/{wnid}_1.JPEG"], 8, 6);
        var dataset = new ImageFolderDataset(dir["train"]);
        Assert.Equal(["n01440764", "n01443537", "n02102040", "n03000134", "n15075141"], dataset.Classes);
        Assert.All(dataset.Samples, s => Assert.StartsWith(dataset.Classes[s.Label] + "_", Path.GetFileName(s.Path)));
    }

    [Fact]
    public void Class_order_is_ordinal_like_Python_sorted_not_culture()
    {
        using var dir = new TempDir();
        foreach (var name in new[] { "apple", "Zebra", "banana", "Apple" })
            DataFixtures.WriteImage(dir[$"{name}/x.png"], 4, 4);
        // Python's sorted() compares code points: upper case before lower case.
        Assert.Equal(["Apple", "Zebra", "apple", "banana"], new ImageFolderDataset(dir.Path).Classes);
    }

    [Fact]
    public void Files_follow_torchvision_make_dataset_order()
    {
        using var dir = new TempDir();
        foreach (var f in new[] { "c/z.jpg", "c/a.JPEG", "c/sub/b.png", "c/sub/a.jpg", "c/a b/q.jpg" })
            DataFixtures.WriteImage(dir[f], 4, 4);
        File.WriteAllText(dir["c/notes.txt"], "not an image");
        var files = new ImageFolderDataset(dir.Path).Samples.Select(s => Path.GetRelativePath(dir.Path, s.Path)).ToList();
        // sorted(os.walk(...)) orders the folders by path ("c" < "c/a b" < "c/sub"), then sorted file names in each.
        Assert.Equal(["c/a.JPEG", "c/z.jpg", "c/a b/q.jpg", "c/sub/a.jpg", "c/sub/b.png"], files);
    }

    [Fact]
    public void Empty_class_folder_is_an_error_naming_it()
    {
        using var dir = new TempDir();
        DataFixtures.WriteImage(dir["n01440764/a.JPEG"], 4, 4);
        Directory.CreateDirectory(dir["n01443537"]);
        var e = Assert.Throws<InvalidDataException>(() => new ImageFolderDataset(dir.Path));
        Assert.Contains("n01443537", e.Message);
        Assert.Contains(dir.Path, e.Message);
    }

    [Fact]
    public void Val_split_with_other_classes_is_rejected()
    {
        using var dir = new TempDir();
        DataFixtures.WriteImage(dir["train/n01440764/a.JPEG"], 4, 4);
        DataFixtures.WriteImage(dir["train/n01443537/a.JPEG"], 4, 4);
        DataFixtures.WriteImage(dir["val/n01440764/a.JPEG"], 4, 4);
        var e = Assert.Throws<InvalidDataException>(() =>
            new ImageFolderDataset(dir["val"]).RequireSameClassesAs(new ImageFolderDataset(dir["train"])));
        Assert.Contains("n01443537", e.Message);
    }
}
