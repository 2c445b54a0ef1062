namespace Repro.Data;

/// <summary>
/// torchvision's ImageFolder: one sub-folder per class under a split root, class index = position of the
/// folder name in ordinal sort order (ImageNet wnids sort the same way), files sorted within a class.
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
        for (var c = 0; c < Classes.Count; c++)
        {
            var files = Directory.GetFiles(Path.Combine(root, Classes[c]), "*", SearchOption.AllDirectories)
                .Where(ImageCodec.IsImageFile)
                .Order(StringComparer.Ordinal);
            samples.AddRange(files.Select(f => (f, c)));
        }
        if (samples.Count == 0)
            throw new InvalidDataException(
                $"{root}: class folders hold no images with extensions {string.Join(" ", ImageCodec.Extensions)}.");
        Samples = samples;
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
