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
        var d = DiscoveryConfig.Of(p);
        return name switch
        {
            "voc12-trainval" or "voc12-val" when d.Voc12Root is { } root => Voc(name, Resolve(root, context, "discovery.voc12_root"), "2012", Split(name)),
            "voc07-trainval" when d.Voc07Root is { } root => Voc(name, Resolve(root, context, "discovery.voc07_root"), "2007", Split(name)),
            "coco20k" when d.Coco20k is { } c => Coco(name, new Coco20kOptions
            {
                ImagesRoot = Resolve(c.ImagesRoot, context, "discovery.coco20k.images_root"), FileList = Resolve(c.FileList, context, "discovery.coco20k.file_list"),
                Annotations = Resolve(c.Annotations, context, "discovery.coco20k.annotations"),
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
        foreach (var name in DiscoveryConfig.Of(p).Datasets)
            try
            {
                if (HasRealSource(DiscoveryConfig.Of(p), name) || SyntheticScenes.Generated(context.CacheRoot, ScenesConfig(p), p.DataSeed) != null)
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
        return SyntheticScenes.Ensure(context.CacheRoot, scenes, p.DataSeed, context.Log);
    }

    static SyntheticScenesConfig ScenesConfig(Profile p) => p.Data.Scenes
        ?? throw new ConfigException($"profile '{p.Name}': the object-discovery figure needs data.scenes or the datasets' roots under discovery");

    /// <summary>The data root relative real-data paths are under: --data-root, else data.root; null when neither is set.</summary>
    public static string? DataRoot(RunContext context) => context.DataRoot ?? context.Profile.Data.Root;

    /// <summary>A real-data path of profile key <paramref name="key"/>: under the data root unless absolute.</summary>
    public static string Resolve(string path, RunContext context, string key)
    {
        if (Path.IsPathRooted(path)) return path;
        var root = DataRoot(context)
            ?? throw new ConfigException($"profile '{context.Profile.Name}': {key} '{path}' is relative but no data root is set; pass -p:DataRoot=/path or make it absolute");
        return Path.Combine(root, path);
    }
}

/// <summary>The object-discovery figure's own profile section, <c>discovery:</c> (<see cref="ObjectDiscoveryFigure.Section"/>).</summary>
public sealed class DiscoveryConfig
{
    public const string Key = "discovery";

    /// <summary>The profile's section, with its defaults where the file has none.</summary>
    public static DiscoveryConfig Of(Profile profile) => profile.Section<DiscoveryConfig>(Key);

    /// <summary>
    /// ResNet feature stride for LOST: 32, 16 (layer4 dilated) or 8 (layer3 and layer4 dilated). Fidelity paper
    /// keeps 32 whatever this says, as the authors' option never reached the model (errata 5).
    /// </summary>
    public int Stride { get; set; } = 32;
    /// <summary>Drop images whose objects are all difficult or truncated (LOST's "no hard" variant).</summary>
    public bool NoHard { get; set; }
    /// <summary>LOST's k: the lowest-degree patches that may join the seed (paper: 100, for grids of a few hundred patches).</summary>
    public int KPatches { get; set; } = Lost.DefaultKPatches;
    /// <summary>
    /// Benchmarks scored, each a panel: voc12-trainval and voc12-val (the paper's), voc07-trainval, coco20k. Without a
    /// root below, the synthetic scenes (data.scenes) stand in: their VOC folder for VOC2012, their COCO20k-style list for coco20k.
    /// </summary>
    public List<string> Datasets { get; set; } = ["voc12-trainval", "voc12-val"];
    /// <summary>VOC2012 (a VOC2012 folder or one above it), relative to the data root unless absolute.</summary>
    public string? Voc12Root { get; set; }
    /// <summary>VOC2007, as <see cref="Voc12Root"/>; the synthetic scenes do not stand in for it.</summary>
    public string? Voc07Root { get; set; }
    /// <summary>COCO20k: the images folder, LOST's file list and the instances JSON, relative to the data root unless absolute.</summary>
    public Coco20kConfig? Coco20k { get; set; }
    /// <summary>Images of the first dataset drawn across iterations in the qualitative grid (box, seed patch, ground truth).</summary>
    public int QualitativeImages { get; set; } = 3;
}

public sealed class Coco20kConfig
{
    public required string ImagesRoot { get; set; }
    public required string FileList { get; set; }
    public required string Annotations { get; set; }
}
