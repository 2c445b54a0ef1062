namespace Repro.Data;

/// <summary>
/// torchvision's ImageFolder: one sub-folder per class under a split root, class index = position of the
/// folder name in ordinal sort order (ImageNet wnids sort the same way), files in make_dataset's order.
/// </summary>
public sealed class ImageFolderDataset
{
    public string Root { get; }
    public IReadOnlyList<string> Classes { get; }
    public IReadOnlyList<(string Path, int Label)> Samples { get; }

    public ImageFolderDataset(string root)
    {
        Root = root;
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException(
                $"{root}: dataset folder not found. Expected ImageFolder layout {root}/<class>/<image>; check DataRoot / data.root.");
        Classes = Directory.GetDirectories(root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()!;
        if (Classes.Count == 0)
            throw new InvalidDataException($"{root}: no class folders. Expected ImageFolder layout {root}/<class>/<image>.");
        var samples = new List<(string, int)>();
        var empty = new List<string>();
        for (var c = 0; c < Classes.Count; c++)
        {
            var before = samples.Count;
            samples.AddRange(ClassFiles(Path.Combine(root, Classes[c])).Select(f => (f, c)));
            if (samples.Count == before) empty.Add(Classes[c]);
        }
        if (empty.Count > 0)
            throw new InvalidDataException(
                $"{root}: no image files (extensions {string.Join(" ", ImageCodec.Extensions)}) in class folder(s) {string.Join(", ", empty)}. " +
                "torchvision's ImageFolder refuses empty classes too: add the images or remove the folders.");
        Samples = samples;
    }

    /// <summary>
    /// A class folder's images in torchvision's make_dataset order: folders of the walk sorted by path, files
    /// sorted within each folder (so class/a.jpg, class/z.jpg come before class/sub/b.jpg).
    /// </summary>
    static IEnumerable<string> ClassFiles(string classDir)
    {
        var dirs = Directory.GetDirectories(classDir, "*", SearchOption.AllDirectories).Append(classDir).Order(StringComparer.Ordinal);
        return dirs.SelectMany(d => Directory.GetFiles(d).Where(ImageCodec.IsImageFile).Order(StringComparer.Ordinal));
    }

    /// <summary>Checks that a val split has exactly the train split's classes, in the same order.</summary>
    public void RequireSameClassesAs(ImageFolderDataset train)
    {
        if (!Classes.SequenceEqual(train.Classes))
            throw new InvalidDataException(
                $"{Root}: class folders differ from {train.Root} ({Classes.Count} vs {train.Classes.Count}; " +
                $"first difference: {Classes.Except(train.Classes).Concat(train.Classes.Except(Classes)).FirstOrDefault()}).");
    }
}
