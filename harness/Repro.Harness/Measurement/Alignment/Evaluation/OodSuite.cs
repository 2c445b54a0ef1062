using Repro.Config;
using Repro.Data;
using Repro.Data.ModelVsHuman;
using Repro.Measurement.Alignment.Metrics;

namespace Repro.Measurement.Alignment.Evaluation;

/// <summary>
/// One benchmark dataset decoded for evaluation: its images, the texture category of each cue-conflict image (by
/// image id), and the human observers' decisions when the release's raw data is present (otherwise empty).
/// </summary>
public sealed record OodDataset(string Name, IReadOnlyList<OodImage> Images, IReadOnlyDictionary<string, string> Textures,
    IReadOnlyList<ObserverDecisions> Humans);

/// <summary>
/// The model-vs-human datasets a run evaluates, read through <see cref="ModelVsHumanDataset"/> from a folder in the
/// benchmark's layout (the real release or the generated synthetic sets), with what the models are compared with:
/// human observers when every dataset has human raw data, otherwise the dense model of each trajectory.
/// </summary>
public sealed class OodSuite
{
    public IReadOnlyList<string> Categories { get; }
    public IReadOnlyList<OodDataset> Datasets { get; }
    public ReferenceKind Reference { get; }
    /// <summary>Images named by an index or by human trials but missing on disk, left out under <see cref="MissingImagePolicy.Skip"/>.</summary>
    public IReadOnlyList<string> MissingImages { get; }

    OodSuite(IReadOnlyList<string> categories, IReadOnlyList<OodDataset> datasets, ReferenceKind reference, IReadOnlyList<string> missingImages) =>
        (Categories, Datasets, Reference, MissingImages) = (categories, datasets, reference, missingImages);

    /// <summary>
    /// datasets/images.txt: every image file of the folder, one "&lt;dataset&gt;/&lt;sub-folder&gt;/&lt;file&gt;" a line. The
    /// synthetic generator writes it; the release has none, and there its human trials name the images.
    /// </summary>
    public const string ImageIndexFile = "images.txt";

    public int ImageCount => Datasets.Sum(d => d.Images.Count);

    /// <param name="datasetsRoot">Folder holding one folder per dataset (the release's datasets/).</param>
    /// <param name="rawDataRoot">The release's raw-data/ folder, or null when there is no human data.</param>
    /// <param name="parametricPerClass">Keep the first N images of each category and condition (null: all).</param>
    /// <param name="nonParametricPerClass">Keep the first N images of each category (null: all).</param>
    /// <param name="missingImages">Whether an image the index or the human trials name but the folder lacks is an error or a counted skip.</param>
    public static OodSuite Open(string datasetsRoot, string? rawDataRoot, IReadOnlyList<string> datasets, IReadOnlyList<string> categories,
        int? parametricPerClass, int? nonParametricPerClass, MissingImagePolicy missingImages = MissingImagePolicy.Error)
    {
        var opened = new List<OodDataset>();
        var missing = new List<string>();
        foreach (var name in datasets)
        {
            var dataset = ModelVsHumanDataset.Open(datasetsRoot, name, categories: categories);
            var trials = Trials(rawDataRoot, name);
            missing.AddRange(Missing(datasetsRoot, rawDataRoot, trials, dataset, missingImages));
            var limit = dataset.Info.Parametric ? parametricPerClass : nonParametricPerClass;
            var kept = dataset.Images
                .GroupBy(i => (i.Category, i.Condition))
                .SelectMany(g => limit is { } n ? g.Take(n) : g)
                .ToList();
            var images = kept.Select(i => new OodImage(i.ImageId, i.Condition, i.Category, ImageCodec.Decode(i.Path))).ToList();
            var textures = kept.Where(i => i.TextureCategory != null).ToDictionary(i => i.ImageId, i => i.TextureCategory!);
            opened.Add(new OodDataset(name, images, textures, Humans(trials)));
        }
        // one summary cannot mix references: humans only when every dataset has them
        var human = opened.Count > 0 && opened.All(d => d.Humans.Count > 0);
        return new OodSuite(categories, human ? opened : opened.Select(d => d with { Humans = [] }).ToList(),
            human ? ReferenceKind.Human : ReferenceKind.DenseModel, missing);
    }

    /// <summary>The human trials of <paramref name="dataset"/> under <paramref name="rawDataRoot"/>, or null when there are none.</summary>
    public static IReadOnlyList<HumanTrial>? Trials(string? rawDataRoot, string dataset) =>
        rawDataRoot == null || !Directory.Exists(Path.Combine(rawDataRoot, dataset)) ? null : HumanTrials.ReadDataset(rawDataRoot, dataset).Trials;

    /// <summary>
    /// The images of <paramref name="dataset"/> that datasets/images.txt lists or a human trial (<paramref name="trials"/>,
    /// read from <paramref name="rawDataRoot"/>) showed but that are not in its folder; under
    /// <see cref="MissingImagePolicy.Error"/> the first one is an error naming it.
    /// </summary>
    public static IReadOnlyList<string> Missing(string datasetsRoot, string? rawDataRoot, IReadOnlyList<HumanTrial>? trials,
        ModelVsHumanDataset dataset, MissingImagePolicy policy)
    {
        var name = dataset.Info.Name;
        var missing = new List<string>();
        var index = Path.Combine(datasetsRoot, ImageIndexFile);
        if (File.Exists(index))
        {
            var present = dataset.Images.Select(i => Path.GetRelativePath(datasetsRoot, i.Path).Replace('\\', '/')).ToHashSet();
            missing.AddRange(File.ReadLines(index).Select(l => l.Trim()).Where(l => l.StartsWith(name + "/", StringComparison.Ordinal) && !present.Contains(l))
                .Select(l => Path.Combine(datasetsRoot, l)));
        }
        if (trials != null)
        {
            var present = dataset.Images.Select(i => (i.ImageId, i.Condition)).ToHashSet();
            missing.AddRange(trials.Where(t => !present.Contains((t.ImageId, t.Condition)))
                .Select(t => Path.Combine(datasetsRoot, name, t.ImageName)).Distinct());
        }
        if (missing.Count > 0 && policy == MissingImagePolicy.Error)
            throw new DataFileException(missing[0], DataProblem.MissingFile,
                $"model-vs-human image missing ({missing.Count} of {name} missing; named by {(File.Exists(index) ? index : $"the human trials in {Path.Combine(rawDataRoot!, name)}")})",
                "Restore it (for the generated sets: delete the data folder to regenerate it), or set alignment.missing_images: skip in the profile to score without it");
        return missing;
    }

    static IReadOnlyList<ObserverDecisions> Humans(IReadOnlyList<HumanTrial>? trials)
    {
        if (trials == null) return [];
        return trials
            .GroupBy(t => t.Subject)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ObserverDecisions(g.Key, ObserverKind.Human,
                // an unanswered trial ("na") counts as an error, as in the benchmark
                g.Select(t => new Decision(t.ImageId, t.Condition, t.Category, t.Response ?? "na")).ToList()))
            .ToList();
    }
}
