using System.Globalization;

namespace Repro.Data;

/// <summary>A COCO object category: its id in the instances JSON and its name.</summary>
public sealed record CocoCategory(int Id, string Name);

/// <summary>The benchmark class lists, kept as data files (Data/ClassLists/*.txt) embedded in the assembly.</summary>
public static class ClassLists
{
    /// <summary>The 20 PASCAL VOC classes; mask label = index + 1.</summary>
    public static IReadOnlyList<string> Voc { get; } = Lines("voc.txt").ToList();

    /// <summary>The 80 COCO categories with their (non-contiguous) ids.</summary>
    public static IReadOnlyList<CocoCategory> Coco { get; } = Lines("coco.txt")
        .Select(l => l.Split(' ', 2))
        .Select(p => new CocoCategory(int.Parse(p[0], CultureInfo.InvariantCulture), p[1]))
        .ToList();

    /// <summary>The 16 model-vs-human categories (sorted) with the ImageNet-1k class indices mapped to each.</summary>
    public static IReadOnlyList<(string Category, int[] ImageNetIndices)> ModelVsHuman { get; } = Lines("model-vs-human.txt")
        .Select(l => l.Split(':', 2))
        .Select(p => (p[0].Trim(), p[1].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()))
        .ToList();

    static IEnumerable<string> Lines(string name)
    {
        using var stream = typeof(ClassLists).Assembly.GetManifestResourceStream($"Repro.Data.ClassLists.{name}")
            ?? throw new InvalidOperationException($"embedded class list {name} is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
    }
}
