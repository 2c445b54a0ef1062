using Repro.Measurement.Localization;

namespace Repro.Tests.Measurement;

[Trait("Category", TestCategories.Unit)]
public class LocalizationMetricTests
{
    // 2x3 heatmap   mask (1 = object)
    //  1 2 0         1 0 0
    //  3 0 4         1 0 1
    static readonly Heatmap Map = new(2, 3, [1, 2, 0, 3, 0, 4]);
    static readonly ObjectMask Mask = new(2, 3, [true, false, false, true, false, true]);

    static double Score(ILocalizationMetric metric, Heatmap h, ObjectMask m) => metric.Score(h, m)!.Value;

    [Fact]
    public void Relevance_mass_accuracy_is_the_relevance_share_inside_the_object()
    {
        // (1 + 3 + 4) / 10
        Assert.Equal(0.8, Score(new RelevanceMassAccuracy(), Map, Mask), 12);
    }

    [Fact]
    public void Relevance_rank_accuracy_counts_the_top_k_pixels_inside_the_object()
    {
        // K = 3; the top three values 4, 3, 2 sit at object, object, background.
        Assert.Equal(2.0 / 3, Score(new RelevanceRankAccuracy(), Map, Mask), 12);
    }

    [Fact]
    public void Relevance_rank_accuracy_splits_ties_at_the_kth_value_by_expectation()
    {
        // Values 2 1 1 1, object at the 2nd and 3rd pixel, K = 2: the 2 is background; one of the three 1s is still
        // needed and two of them are object, so 2/3 of a hit: RRA = (2/3) / 2.
        var heatmap = new Heatmap(1, 4, [2, 1, 1, 1]);
        var mask = new ObjectMask(1, 4, [false, true, true, false]);
        Assert.Equal(1.0 / 3, Score(new RelevanceRankAccuracy(), heatmap, mask), 12);
    }

    [Fact]
    public void Pointing_game_asks_whether_the_maximum_is_inside_the_object()
    {
        var metric = new PointingGame();
        Assert.Equal(1, Score(metric, Map, Mask));
        Assert.Equal(0, Score(metric, new Heatmap(2, 3, [1, 9, 0, 3, 0, 4]), Mask));
        // Two pixels share the maximum, one of them inside.
        Assert.Equal(0.5, Score(metric, new Heatmap(2, 3, [4, 4, 0, 3, 0, 1]), Mask));
    }

    [Fact]
    public void Energy_pointing_game_uses_the_bounding_box_of_the_mask()
    {
        // 3x4 heatmap          mask            its bounding box (rows 0-1, columns 1-2)
        //  1 2 0 5             0 1 0 0          0 1 1 0
        //  0 1 3 0             0 0 1 0          0 1 1 0
        //  4 0 0 4             0 0 0 0          0 0 0 0
        var heatmap = new Heatmap(3, 4, [1, 2, 0, 5, 0, 1, 3, 0, 4, 0, 0, 4]);
        var mask = new ObjectMask(3, 4, [false, true, false, false, false, false, true, false, false, false, false, false]);
        // Inside the box: 2 + 0 + 1 + 3 = 6 of 20.
        Assert.Equal(0.3, Score(new EnergyPointingGame(), heatmap, mask), 12);
        // RMA on the same pair counts only the two object pixels: (2 + 3) / 20.
        Assert.Equal(0.25, Score(new RelevanceMassAccuracy(), heatmap, mask), 12);
    }

    [Fact]
    public void An_all_zero_heatmap_scores_at_chance_level_instead_of_NaN()
    {
        var zero = new Heatmap(2, 3, new float[6]);
        // 3 of 6 pixels are object; the bounding box (columns 0-2, rows 0-1) is the whole image.
        Assert.Equal(0.5, Score(new RelevanceMassAccuracy(), zero, Mask), 12);
        Assert.Equal(0.5, Score(new RelevanceRankAccuracy(), zero, Mask), 12);
        Assert.Equal(0.5, Score(new PointingGame(), zero, Mask), 12);
        Assert.Equal(1.0, Score(new EnergyPointingGame(), zero, Mask), 12);
    }

    [Fact]
    public void A_mask_without_object_pixels_is_skipped_and_counted()
    {
        var empty = new ObjectMask(2, 3, new bool[6]);
        ILocalizationMetric[] metrics = [new RelevanceMassAccuracy(), new RelevanceRankAccuracy(), new PointingGame(), new EnergyPointingGame()];
        foreach (var metric in metrics) Assert.Null(metric.Score(Map, empty));

        var summary = new RelevanceMassAccuracy().Evaluate([Map, Map, Map], [Mask, empty, Mask]);
        Assert.Equal([0.8, null, 0.8], summary.PerImage.Select(s => s is { } v ? Math.Round(v, 12) : (double?)null));
        Assert.Equal(2, summary.Scored);
        Assert.Equal(1, summary.Skipped);
        Assert.Equal(0.8, summary.Mean!.Value, 12);
        Assert.Null(new RelevanceMassAccuracy().Evaluate([Map], [empty]).Mean);
    }

    [Fact]
    public void Mismatched_sizes_and_counts_fail_clearly()
    {
        var wide = new ObjectMask(2, 4, new bool[8]);
        var error = Assert.Throws<ArgumentException>(() => new RelevanceRankAccuracy().Score(Map, wide));
        Assert.Contains("2x3", error.Message);
        Assert.Contains("2x4", error.Message);
        Assert.Throws<ArgumentException>(() => new PointingGame().Evaluate([Map, Map], [Mask]));
    }

    [Fact]
    public void Heatmaps_must_be_finite_non_negative_and_of_the_stated_size()
    {
        var negative = Assert.Throws<ArgumentException>(() => new Heatmap(1, 2, [0.5f, -1]));
        Assert.Contains("row 0, column 1", negative.Message);
        Assert.Throws<ArgumentException>(() => new Heatmap(1, 2, [float.NaN, 0]));
        Assert.Throws<ArgumentException>(() => new Heatmap(1, 2, [float.PositiveInfinity, 0]));
        Assert.Throws<ArgumentException>(() => new Heatmap(2, 2, [1, 2, 3]));
        Assert.Throws<ArgumentException>(() => new ObjectMask(2, 2, new bool[3]));
    }
}
