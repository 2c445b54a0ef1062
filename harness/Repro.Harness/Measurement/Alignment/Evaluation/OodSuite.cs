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

    OodSuite(IReadOnlyList<string> categories, IReadOnlyList<OodDataset> datasets, ReferenceKind reference) =>
        (Categories, Datasets, Reference) = (categories, datasets, reference);

    public int ImageCount => Datasets.Sum(d => d.Images.Count);

    /// <param name="datasetsRoot">Folder holding one folder per dataset (the release's datasets/).</param>
    /// <param name="rawDataRoot">The release's raw-data/ folder, or null when there is no human data.</param>
    /// <param name="parametricPerClass">Keep the first N images of each category and condition (null: all).</param>
    /// <param name="nonParametricPerClass">Keep the first N images of each category (null: all).</param>
    public static OodSuite Open(string datasetsRoot, string? rawDataRoot, IReadOnlyList<string> datasets, IReadOnlyList<string> categories,
        int? parametricPerClass, int? nonParametricPerClass)
    {
        var opened = new List<OodDataset>();
        foreach (var name in datasets)
        {
            var dataset = ModelVsHumanDataset.Open(datasetsRoot, name, categories: categories);
            var limit = dataset.Info.Parametric ? parametricPerClass : nonParametricPerClass;
            var kept = dataset.Images
                .GroupBy(i => (i.Category, i.Condition))
                .SelectMany(g => limit is { } n ? g.Take(n) : g)
                .ToList();
            var images = kept.Select(i => new OodImage(i.ImageId, i.Condition, i.Category, ImageCodec.Decode(i.Path))).ToList();
            var textures = kept.Where(i => i.TextureCategory != null).ToDictionary(i => i.ImageId, i => i.TextureCategory!);
            opened.Add(new OodDataset(name, images, textures, Humans(rawDataRoot, name)));
        }
        // one summary cannot mix references: humans only when every dataset has them
        var human = opened.Count > 0 && opened.All(d => d.Humans.Count > 0);
        return new OodSuite(categories, human ? opened : opened.Select(d => d with { Humans = [] }).ToList(),
            human ? ReferenceKind.Human : ReferenceKind.DenseModel);
    }

    static IReadOnlyList<ObserverDecisions> Humans(string? rawDataRoot, string dataset)
    {
        if (rawDataRoot == null || !Directory.Exists(Path.Combine(rawDataRoot, dataset))) return [];
        return HumanTrials.ReadDataset(rawDataRoot, dataset).Trials
            .GroupBy(t => t.Subject)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ObserverDecisions(g.Key, ObserverKind.Human,
                // an unanswered trial ("na") counts as an error, as in the benchmark
                g.Select(t => new Decision(t.ImageId, t.Condition, t.Category, t.Response ?? "na")).ToList()))
            .ToList();
    }
}
