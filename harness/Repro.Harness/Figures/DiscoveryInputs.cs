using Repro.Config;
using Repro.Data;
using Repro.Data.Coco;
using Repro.Data.Synthetic;
using Repro.Data.Voc;
using Repro.Measurement.Discovery;
using Repro.Training;

namespace Repro.Figures;

/// <summary>A benchmark LOST is scored on: its images (decoded one at a time when enumerated) and where they came from.</summary>
public sealed record DiscoveryDataset(string Name, string Source, IReadOnlyList<LocalisationImage> Images)
{
    public IEnumerable<DiscoveryImage> Decoded() =>
        Images.Select(i => new DiscoveryImage(i.Id, ImageCodec.Decode(i.ImagePath), i.Objects));
}

/// <summary>
/// The object-discovery benchmarks a profile names (discovery.datasets), read through the real loaders: VOC by
/// ImageSets/Main and Annotations, COCO20k by LOST's file list and the instances JSON. Without a configured root the
/// synthetic scenes stand in, through the same loaders, for VOC2012 and COCO20k.
/// </summary>
public static class DiscoveryInputs
{
    public static readonly IReadOnlyList<string> Names = ["voc12-trainval", "voc12-val", "voc07-trainval", "coco20k"];

    public static DiscoveryDataset Open(string name, RunContext context)
    {
        var p = context.Profile;
        var d = p.Discovery;
        return name switch
        {
            "voc12-trainval" or "voc12-val" when d.Voc12Root is { } root => Voc(name, Resolve(root, context), "2012", Split(name)),
            "voc07-trainval" when d.Voc07Root is { } root => Voc(name, Resolve(root, context), "2007", Split(name)),
            "coco20k" when d.Coco20k is { } c => Coco(name, new Coco20kOptions
            {
                ImagesRoot = Resolve(c.ImagesRoot, context), FileList = Resolve(c.FileList, context), Annotations = Resolve(c.Annotations, context),
            }, "COCO20k"),
            "voc12-trainval" or "voc12-val" => new DiscoveryDataset(name, $"synthetic scenes (VOC layout), {Split(name)}",
                SyntheticScenes.OpenVoc(Scenes(context, out var scenes), scenes, Split(name)).ToLocalisation()),
            "coco20k" => Coco(name, SyntheticOptions(Scenes(context, out _)), "synthetic scenes (COCO20k layout)"),
            _ => throw new ConfigException($"profile '{p.Name}': discovery dataset '{name}' has no source; allowed values: {string.Join(", ", Names)}"),
        };
    }

    /// <summary>
    /// Before any training: opens every dataset the profile names that has a real root, or whose synthetic scenes are
    /// already generated, through <see cref="Open"/> (split lists, annotations, image files). Adds each problem found.
    /// </summary>
    public static void Preflight(RunContext context, List<string> problems)
    {
        var p = context.Profile;
        foreach (var name in p.Discovery.Datasets)
            try
            {
                if (HasRealSource(p.Discovery, name) || SyntheticScenes.Generated(context.CacheRoot, ScenesConfig(p), p.Seed) != null)
                    Open(name, context);
            }
            catch (Exception e) when (e is ConfigException or DataFileException or FileNotFoundException or DirectoryNotFoundException) { problems.Add(e.Message); }
    }

    /// <summary>Whether the profile gives <paramref name="name"/> a real root (else the synthetic scenes stand in).</summary>
    public static bool HasRealSource(DiscoveryConfig d, string name) => name switch
    {
        "voc12-trainval" or "voc12-val" => d.Voc12Root != null,
        "voc07-trainval" => d.Voc07Root != null,
        "coco20k" => d.Coco20k != null,
        _ => false,
    };

    static string Split(string name) => name[(name.IndexOf('-') + 1)..];

    static DiscoveryDataset Voc(string name, string root, string year, string split) =>
        new(name, $"PASCAL VOC{year} {split} ({root})", VocDataset.Open(new VocOptions { Root = root, Year = year, Split = split }).ToLocalisation());

    static DiscoveryDataset Coco(string name, Coco20kOptions options, string source) =>
        new(name, source, Coco20kDataset.Open(options).ToLocalisation());

    static Coco20kOptions SyntheticOptions(string scenesDir) => new()
    {
        ImagesRoot = SyntheticScenes.VocRoot(scenesDir), FileList = SyntheticScenes.CocoFileList(scenesDir), Annotations = SyntheticScenes.CocoAnnotations(scenesDir),
    };

    static string Scenes(RunContext context, out SyntheticScenesConfig scenes)
    {
        var p = context.Profile;
        scenes = ScenesConfig(p);
        return SyntheticScenes.Ensure(context.CacheRoot, scenes, p.Seed, context.Log);
    }

    static SyntheticScenesConfig ScenesConfig(Profile p) => p.Data.Scenes
        ?? throw new ConfigException($"profile '{p.Name}': the object-discovery figure needs data.scenes or the datasets' roots under discovery");

    /// <summary>Relative paths are under the data root (--data-root, else data.root).</summary>
    static string Resolve(string path, RunContext context)
    {
        if (Path.IsPathRooted(path)) return path;
        var root = context.DataRoot ?? context.Profile.Data.Root
            ?? throw new ConfigException($"profile '{context.Profile.Name}': discovery path '{path}' is relative but no data root is set; pass -p:DataRoot=/path or make it absolute");
        return Path.Combine(root, path);
    }
}
