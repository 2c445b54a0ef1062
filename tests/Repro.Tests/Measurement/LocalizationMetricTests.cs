using Repro.Config;
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
    public void Paper_RRA_takes_numpys_argsort_order_among_tied_pixels()
    {
        // 20 tied pixels: numpy's argsort gives 0, 17, 16, ..., 1, 18, 19, so its reverse starts 19, 18, 1, 2.
        var zero = new Heatmap(4, 5, new float[20]);
        bool[] At(params int[] pixels) => Enumerable.Range(0, 20).Select(pixels.Contains).ToArray();
        var last = new ObjectMask(4, 5, At(18, 19));
        var first = new ObjectMask(4, 5, At(0, 1));
        var paper = new RelevanceRankAccuracy(Fidelity.Paper);
        Assert.Equal(2 / (2 + 2.220446049250313e-16), Score(paper, zero, last));
        Assert.Equal(0, Score(paper, zero, first));
        // Corrected: both masks expect 2 · 2/20 hits of 2, whatever the order.
        var corrected = new RelevanceRankAccuracy(Fidelity.Corrected);
        Assert.Equal(0.1, Score(corrected, zero, last), 12);
        Assert.Equal(0.1, Score(corrected, zero, first), 12);
        // Ties below the K-th value do not matter: values 3 2 1 1 1, K = 2 are scored alike in both modes.
        var distinctTop = new Heatmap(1, 5, [3, 2, 1, 1, 1]);
        var topTwo = new ObjectMask(1, 5, [true, true, false, false, false]);
        Assert.Equal(Score(corrected, distinctTop, topTwo), Score(paper, distinctTop, topTwo), 12);
    }

    [Fact]
    public void Paper_RRA_divides_by_the_object_size_plus_machine_epsilon_as_the_authors_did()
    {
        var single = new ObjectMask(1, 3, [false, true, false]);
        var peak = new Heatmap(1, 3, [0, 5, 1]);
        Assert.Equal(0.9999999999999998, Score(new RelevanceRankAccuracy(Fidelity.Paper), peak, single));
        Assert.Equal(1, Score(new RelevanceRankAccuracy(Fidelity.Corrected), peak, single));
    }

    [Fact]
    public void An_all_zero_heatmap_scores_RMA_0_in_paper_mode_and_the_object_share_in_corrected_mode()
    {
        var zero = new Heatmap(2, 3, new float[6]);
        Assert.Equal(0, Score(new RelevanceMassAccuracy(Fidelity.Paper), zero, Mask));
        Assert.Equal(0.5, Score(new RelevanceMassAccuracy(Fidelity.Corrected), zero, Mask), 12);
        // Elsewhere the machine epsilon in the paper's denominator leaves the share as it is.
        Assert.Equal(0.8, Score(new RelevanceMassAccuracy(Fidelity.Paper), Map, Mask), 12);
    }

    [Fact]
    public void RMA_and_RRA_score_in_one_fidelity_mode_at_a_time()
    {
        var rma = Assert.Throws<ArgumentException>(() => new RelevanceMassAccuracy(Fidelity.Both));
        Assert.Contains("RMA", rma.Message);
        Assert.Throws<ArgumentException>(() => new RelevanceRankAccuracy(Fidelity.Both));
        Assert.Equal(Fidelity.Corrected, new RelevanceRankAccuracy().Fidelity);
    }

    [Fact]
    public void A_mask_without_object_pixels_is_skipped_and_counted()
    {
        var empty = new ObjectMask(2, 3, new bool[6]);
        ILocalizationMetric[] metrics = [new RelevanceMassAccuracy(), new RelevanceRankAccuracy(), new PointingGame(), new EnergyPointingGame(),
            new RelevanceMassAccuracy(Fidelity.Paper), new RelevanceRankAccuracy(Fidelity.Paper)];
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
