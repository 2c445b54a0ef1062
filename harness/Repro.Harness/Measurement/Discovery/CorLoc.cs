using System.Globalization;
using Repro.Data;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Repro.Measurement.Discovery;

/// <summary>One image to discover an object in, with its annotated objects.</summary>
public sealed record DiscoveryImage(string Id, RgbImage Image, IReadOnlyList<GroundTruthObject> Objects);

public sealed class CorLocOptions
{
    /// <summary>
    /// LOST's --no_hard: difficult and truncated objects are removed from the ground truth, and images left
    /// without objects are skipped. Off in the paper's protocol (all objects count).
    /// </summary>
    public bool NoHard { get; init; }
    /// <summary>An image counts as localised when its box reaches this IoU with some ground-truth box.</summary>
    public double IouThreshold { get; init; } = 0.5;
}

public enum PredictionStatus { Scored, Missed, Skipped }

/// <summary>One image's result: one row of the predictions file.</summary>
public sealed class ImagePrediction
{
    public string Id { get; set; } = "";
    public int Width { get; set; }
    public int Height { get; set; }
    public PredictionStatus Status { get; set; }
    public DiscoveryIssue Issue { get; set; }
    public string? Detail { get; set; }
    public double? XMin { get; set; }
    public double? YMin { get; set; }
    public double? XMax { get; set; }
    public double? YMax { get; set; }
    public int? SeedRow { get; set; }
    public int? SeedCol { get; set; }
    /// <summary>Highest IoU of the box with any ground-truth box (0 for misses and skips).</summary>
    public double BestIou { get; set; }
    public bool Hit { get; set; }

    [YamlIgnore]
    public PixelBox? Box => XMin is { } x0 && YMin is { } y0 && XMax is { } x1 && YMax is { } y1 ? new PixelBox(x0, y0, x1, y1) : null;
}

/// <summary>CorLoc and mean IoU over the images that count, and how many images were missed or skipped, by issue.</summary>
public sealed class CorLocSummary
{
    /// <summary>Images in the denominator: scored plus missed.</summary>
    public int Images { get; set; }
    public int Hits { get; set; }
    /// <summary>Hits / Images, in [0, 1]; NaN when no image counts.</summary>
    public double CorLoc { get; set; }
    /// <summary>Mean over counted images of the best IoU with the ground truth (misses count as 0); NaN when none.</summary>
    public double MeanIou { get; set; }
    public Dictionary<string, int> Missed { get; set; } = [];
    public Dictionary<string, int> Skipped { get; set; } = [];

    public static CorLocSummary Of(IReadOnlyCollection<ImagePrediction> images)
    {
        var counted = images.Where(i => i.Status != PredictionStatus.Skipped).ToList();
        return new CorLocSummary
        {
            Images = counted.Count,
            Hits = counted.Count(i => i.Hit),
            CorLoc = counted.Count == 0 ? double.NaN : counted.Count(i => i.Hit) / (double)counted.Count,
            MeanIou = counted.Count == 0 ? double.NaN : counted.Average(i => i.BestIou),
            Missed = CountByIssue(images, PredictionStatus.Missed),
            Skipped = CountByIssue(images, PredictionStatus.Skipped),
        };
    }

    static Dictionary<string, int> CountByIssue(IEnumerable<ImagePrediction> images, PredictionStatus status) =>
        images.Where(i => i.Status == status).GroupBy(i => i.Issue).OrderBy(g => g.Key)
            .ToDictionary(g => UnderscoredNamingConvention.Instance.Apply(g.Key.ToString()), g => g.Count());

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"CorLoc {100 * CorLoc:F1}% ({Hits}/{Images}), mean IoU {MeanIou:F3}, missed {Missed.Values.Sum()}, skipped {Skipped.Values.Sum()}");
}

/// <summary>
/// CorLoc (Deselaers et al. 2012, as LOST evaluates it): the share of images whose single predicted box has
/// IoU ≥ 0.5 with at least one ground-truth box. An image the method cannot answer for (NaN or degenerate
/// features) counts as a miss; images without ground truth, or too small for one patch, are skipped and counted.
/// </summary>
public sealed class CorLocEvaluation(CorLocOptions options)
{
    public CorLocOptions Options => options;

    /// <summary>The boxes an image is scored against, or why it is skipped.</summary>
    public (IReadOnlyList<PixelBox> Boxes, DiscoveryIssue Issue) GroundTruthFor(IReadOnlyList<GroundTruthObject> objects)
    {
        if (objects.Count == 0) return ([], DiscoveryIssue.NoGroundTruth);
        var kept = objects.Where(o => !options.NoHard || !o.IsHard).Select(o => o.Box).ToList();
        return kept.Count == 0 ? ([], DiscoveryIssue.AllObjectsHard) : (kept, DiscoveryIssue.None);
    }

    public ImagePrediction Score(string id, int width, int height, IReadOnlyList<PixelBox> groundTruth, DiscoveryOutcome outcome)
    {
        var row = new ImagePrediction
        {
            Id = id, Width = width, Height = height, Issue = outcome.Issue, Detail = outcome.Detail,
            SeedRow = outcome.SeedRow, SeedCol = outcome.SeedCol,
        };
        if (outcome.Box is not { } box)
        {
            row.Status = outcome.Issue.IsSkip() ? PredictionStatus.Skipped : PredictionStatus.Missed;
            return row;
        }
        (row.XMin, row.YMin, row.XMax, row.YMax) = (box.XMin, box.YMin, box.XMax, box.YMax);
        row.Status = PredictionStatus.Scored;
        row.BestIou = groundTruth.Count == 0 ? 0 : groundTruth.Max(g => PixelBox.IoU(box, g));
        row.Hit = row.BestIou >= options.IouThreshold;
        return row;
    }

    /// <summary>Runs <paramref name="discoverer"/> on every image that has ground truth to score against.</summary>
    public List<ImagePrediction> Run(IObjectDiscoverer discoverer, IEnumerable<DiscoveryImage> images, Action<string>? progress = null)
    {
        var rows = new List<ImagePrediction>();
        int hits = 0, counted = 0;
        foreach (var image in images)
        {
            var (boxes, issue) = GroundTruthFor(image.Objects);
            var outcome = issue == DiscoveryIssue.None
                ? discoverer.Discover(image.Image)
                : DiscoveryOutcome.Problem(issue, issue == DiscoveryIssue.NoGroundTruth
                    ? "the image has no annotated object"
                    : $"all {image.Objects.Count} objects are difficult or truncated (no-hard protocol)");
            var row = Score(image.Id, image.Image.Width, image.Image.Height, boxes, outcome);
            rows.Add(row);
            if (row.Status != PredictionStatus.Skipped) counted++;
            if (row.Hit) hits++;
            if (progress != null && rows.Count % 500 == 0)
                progress(string.Create(CultureInfo.InvariantCulture, $"  {discoverer.Name}: {rows.Count} images, CorLoc so far {hits}/{counted}"));
        }
        return rows;
    }
}
