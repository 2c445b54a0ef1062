using Repro.Data;
using Repro.Measurement.Discovery;
using static Repro.Tests.Measurement.Discovery.HandMadeFeatures;
using static TorchSharp.torch;

namespace Repro.Tests.Measurement.Discovery;

[Trait("Category", TestCategories.Unit)]
public class CorLocTests
{
    static RgbImage Image(int width, int height) => new(width, height, new byte[width * height * 3]);

    static GroundTruthObject Gt(double x0, double y0, double x1, double y1, bool difficult = false, bool truncated = false) =>
        new("object", new PixelBox(x0, y0, x1, y1), difficult, truncated);

    /// <summary>Predicts a fixed box per image id.</summary>
    sealed class FixedBoxes(Dictionary<int, PixelBox> byWidth) : IObjectDiscoverer
    {
        public int Calls;
        public string Name => "fixed";
        public DiscoveryOutcome Discover(RgbImage image) { Calls++; return DiscoveryOutcome.Found(byWidth[image.Width]); }
    }

    [Fact]
    public void CorLoc_and_mean_IoU_by_hand()
    {
        // Image widths tell the fake which box to predict.
        var predictions = new Dictionary<int, PixelBox>
        {
            [100] = new(0, 0, 10, 10), // GT identical: IoU 1, hit
            [101] = new(0, 0, 10, 10), // GT shifted by half: IoU 1/3, miss
            [102] = new(0, 0, 10, 10), // first GT disjoint, second contains it by half (IoU 0.5 exactly): hit
            [103] = new(0, 0, 10, 10), // GT disjoint: IoU 0, miss
        };
        var images = new[]
        {
            new DiscoveryImage("a", Image(100, 50), [Gt(0, 0, 10, 10)]),
            new DiscoveryImage("b", Image(101, 50), [Gt(5, 0, 15, 10)]),
            new DiscoveryImage("c", Image(102, 50), [Gt(40, 40, 50, 50), Gt(0, 0, 10, 20)]),
            new DiscoveryImage("d", Image(103, 50), [Gt(20, 20, 30, 30)]),
        };

        var rows = new CorLocEvaluation(new CorLocOptions()).Run(new FixedBoxes(predictions), images);
        var summary = CorLocSummary.Of(rows);

        Assert.Equal([true, false, true, false], rows.Select(r => r.Hit));
        Assert.Equal(0.5, rows[2].BestIou, 12);
        Assert.Equal(4, summary.Images);
        Assert.Equal(2, summary.Hits);
        Assert.Equal(0.5, summary.CorLoc);
        Assert.Equal((1 + 1.0 / 3 + 0.5 + 0) / 4, summary.MeanIou, 12);
        Assert.Empty(summary.Missed);
        Assert.Empty(summary.Skipped);
    }

    [Fact]
    public void By_default_difficult_and_truncated_objects_count()
    {
        var images = new[] { new DiscoveryImage("a", Image(100, 50), [Gt(0, 0, 10, 10, difficult: true, truncated: true)]) };
        var rows = new CorLocEvaluation(new CorLocOptions()).Run(new FixedBoxes(new() { [100] = new(0, 0, 10, 10) }), images);
        Assert.True(rows[0].Hit);
    }

    [Fact]
    public void No_hard_drops_hard_objects_and_skips_images_left_without_any()
    {
        var fake = new FixedBoxes(new() { [100] = new(0, 0, 10, 10), [101] = new(0, 0, 10, 10) });
        var images = new[]
        {
            // Only the hard object matches the prediction; without it the image is a miss.
            new DiscoveryImage("mixed", Image(100, 50), [Gt(0, 0, 10, 10, difficult: true), Gt(30, 30, 40, 40)]),
            new DiscoveryImage("all-hard", Image(101, 50), [Gt(0, 0, 10, 10, truncated: true), Gt(0, 0, 9, 9, difficult: true)]),
        };

        var rows = new CorLocEvaluation(new CorLocOptions { NoHard = true }).Run(fake, images);
        var summary = CorLocSummary.Of(rows);

        Assert.Equal(1, fake.Calls); // the skipped image is never run
        Assert.False(rows[0].Hit);
        Assert.Equal(PredictionStatus.Skipped, rows[1].Status);
        Assert.Equal(DiscoveryIssue.AllObjectsHard, rows[1].Issue);
        Assert.Equal((1, 0), (summary.Images, summary.Hits));
        Assert.Equal(new Dictionary<string, int> { ["all_objects_hard"] = 1 }, summary.Skipped);
    }

    [Fact]
    public void Bad_inputs_are_counted_and_the_run_goes_on()
    {
        // A 10x40 image is lower than one 32 px stride; "empty" has no objects; "nan" gets NaN features.
        var features = new FakeFeatures(32, (rows, cols) => rows == 3
            ? full(rows * cols, 2, float.NaN)
            : Map(rows, cols, (r, c) => (r, c) == (1, 1) ? ObjectA : Background));
        var images = new[]
        {
            new DiscoveryImage("tiny", Image(40, 10), [Gt(0, 0, 5, 5)]),
            new DiscoveryImage("empty", Image(96, 64), []),
            new DiscoveryImage("nan", Image(96, 96), [Gt(0, 0, 5, 5)]),
            new DiscoveryImage("good", Image(96, 64), [Gt(32, 32, 64, 64)]),
        };

        var rows = new CorLocEvaluation(new CorLocOptions()).Run(new LostDiscoverer(features), images);
        var summary = CorLocSummary.Of(rows);

        Assert.Equal(2, features.Calls);
        Assert.Equal([PredictionStatus.Skipped, PredictionStatus.Skipped, PredictionStatus.Missed, PredictionStatus.Scored],
            rows.Select(r => r.Status));
        Assert.Contains("smaller than one 32px", rows[0].Detail);
        Assert.Equal(DiscoveryIssue.NoGroundTruth, rows[1].Issue);
        Assert.Equal(DiscoveryIssue.NonFiniteFeatures, rows[2].Issue);
        Assert.Null(rows[2].Box);
        Assert.True(rows[3].Hit);
        Assert.Equal((1, 1), (rows[3].SeedRow, rows[3].SeedCol));
        Assert.Equal((2, 1, 0.5), (summary.Images, summary.Hits, summary.CorLoc));
        Assert.Equal(new Dictionary<string, int> { ["non_finite_features"] = 1 }, summary.Missed);
        Assert.Equal(new Dictionary<string, int> { ["no_ground_truth"] = 1, ["image_smaller_than_stride"] = 1 }, summary.Skipped);
    }

    [Fact]
    public void A_run_where_nothing_counts_has_undefined_CorLoc()
    {
        var summary = CorLocSummary.Of([]);
        Assert.Equal(0, summary.Images);
        Assert.True(double.IsNaN(summary.CorLoc));
    }

    [Fact]
    public void Lost_box_is_the_blob_in_pixels_clipped_to_the_image()
    {
        // 150x100 image, stride 32: padded 160x128, grid 4 rows x 5 cols. Object in the last column, rows 1-3.
        var features = new FakeFeatures(32, (rows, cols) => Map(rows, cols, (r, c) => c == 4 && r >= 1 ? ObjectA : Background));

        var outcome = new LostDiscoverer(features).Discover(Image(150, 100));

        Assert.Equal(new PixelBox(128, 32, 150, 100), outcome.Box);
        Assert.Equal((1, 4), (outcome.SeedRow, outcome.SeedCol));
    }

    [Fact]
    public void Centred_box_covers_the_middle_half_of_each_side()
    {
        Assert.Equal(new PixelBox(50, 25, 150, 75), new CentredBoxBaseline().Discover(Image(200, 100)).Box);
        Assert.Equal(new PixelBox(0, 0, 200, 100), new CentredBoxBaseline(1.0).Discover(Image(200, 100)).Box);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CentredBoxBaseline(0));
    }

    [Fact]
    public void Centred_box_baseline_scores_through_the_same_evaluation()
    {
        var images = new[]
        {
            new DiscoveryImage("centred", Image(200, 100), [Gt(40, 20, 160, 80)]),   // IoU 5000/7200
            new DiscoveryImage("corner", Image(200, 100), [Gt(0, 0, 40, 30)]),       // disjoint
        };
        var rows = new CorLocEvaluation(new CorLocOptions()).Run(new CentredBoxBaseline(), images);
        Assert.Equal(5000.0 / 7200, rows[0].BestIou, 12);
        Assert.Equal([true, false], rows.Select(r => r.Hit));
    }
}
