using Repro.Results;

namespace Repro.Tests.Results;

[Trait("Category", TestCategories.Unit)]
public class VerdictTests
{
    // Reference values from an independent computation: numpy for the mean squares, mpmath's regularized incomplete
    // beta for the Student-t CDF and a root search on it for the quantiles (30 digits).
    const double Tolerance = 1e-9;

    static double[][] Rows(params double[][] rows) => rows;

    [Fact]
    public void One_seed_is_the_paired_t_test_over_images()
    {
        var e = PairedEffect.Of(Rows([0.5, 0.7, 0.4, 0.9, 0.6]), Rows([0.3, 0.6, 0.5, 0.4, 0.5]));
        // d = [0.2, 0.1, −0.1, 0.5, 0.1]: mean 0.16, var 0.048, SE = sqrt(0.048 / 5), df 4.
        Assert.Equal(0.16, e.Mean, Tolerance);
        Assert.Equal(Math.Sqrt(0.048 / 5), e.StandardError, Tolerance);
        Assert.Equal(4, e.DegreesOfFreedom, Tolerance);
        Assert.Equal((1, 5), (e.Seeds, e.Units));
        Assert.Equal(0.088903904178110663, e.PGreater(), Tolerance);
        Assert.Equal(0.91109609582188934, e.PLess(), Tolerance);
        Assert.Equal(0.028383616906160865, e.PGreater(0.1), Tolerance);
        var (lower, upper) = e.Interval(0.95);
        Assert.Equal(-0.11203495226330225, lower, Tolerance);
        Assert.Equal(0.43203495226330226, upper, Tolerance);
    }

    [Fact]
    public void Seeds_by_images_adds_the_seed_and_image_mean_squares_with_Satterthwaite_df()
    {
        var d = Rows([0.10, 0.30, -0.05, 0.20], [0.00, 0.25, -0.10, 0.15], [0.20, 0.35, 0.05, 0.30]);
        var e = PairedEffect.OfDifferences(d);
        // MS_seed = 0.0227083…, MS_image = 0.0629861…; SE² = (MS_seed + MS_image) / 12.
        Assert.Equal(0.14583333333333334, e.Mean, Tolerance);
        Assert.Equal(Math.Sqrt((0.022708333333333344 + 0.0629861111111111) / 12), e.StandardError, Tolerance);
        Assert.Equal(0.08450564302875699, e.StandardError, Tolerance);
        Assert.Equal(4.647070701419319, e.DegreesOfFreedom, 1e-9);
        Assert.Equal(0.07471259450657685, e.PGreater(), Tolerance);
        Assert.Equal(0.92528740549342315, e.PLess(), Tolerance);
        Assert.Equal(0.018242858529103591, e.PGreater(0.1), Tolerance);
        var (lower, upper) = e.Interval(0.95);
        Assert.Equal(-0.076452544275048255, lower, 1e-8);
        Assert.Equal(0.36811921094171494, upper, 1e-8);
    }

    [Fact]
    public void Of_is_OfDifferences_of_the_paired_differences()
    {
        var treated = Rows([0.6, 0.8, 0.4, 0.7], [0.5, 0.9, 0.3, 0.6], [0.7, 0.9, 0.5, 0.8]);
        var reference = Rows([0.5, 0.5, 0.45, 0.5], [0.5, 0.65, 0.4, 0.45], [0.5, 0.55, 0.45, 0.5]);
        var d = treated.Select((row, s) => row.Select((v, i) => v - reference[s][i]).ToArray()).ToArray();
        var a = PairedEffect.Of(treated, reference);
        var b = PairedEffect.OfDifferences(d);
        Assert.Equal(b.Mean, a.Mean, 1e-12);
        Assert.Equal(b.StandardError, a.StandardError, 1e-12);
        Assert.Equal(b.DegreesOfFreedom, a.DegreesOfFreedom, 1e-9);
    }

    [Fact]
    public void One_image_is_a_t_test_over_seeds()
    {
        var e = PairedEffect.OfDifferences(Rows([0.1], [0.3], [-0.05]));
        Assert.Equal(0.11666666666666668, e.Mean, Tolerance);
        Assert.Equal(0.10137937550497032, e.StandardError, Tolerance);
        Assert.Equal(2, e.DegreesOfFreedom, Tolerance);
        Assert.Equal(0.18441562786639866, e.PGreater(), Tolerance);
        Assert.Equal(0.55286691342342296, e.Interval(0.95).Upper, 1e-8);
    }

    [Fact]
    public void One_seed_and_one_image_admit_no_inference()
    {
        var e = PairedEffect.OfDifferences(Rows([0.4]));
        Assert.Equal(0.4, e.Mean);
        Assert.Equal(double.PositiveInfinity, e.StandardError);
        Assert.Equal(0, e.DegreesOfFreedom);
        Assert.Equal(1, e.PGreater());
        Assert.Equal(1, e.PLess());
        Assert.Equal((double.NegativeInfinity, double.PositiveInfinity), e.Interval(0.95));
    }

    [Fact]
    public void Exactly_equal_differences_decide_by_their_sign()
    {
        var up = PairedEffect.OfDifferences(Rows([0.1, 0.1, 0.1], [0.1, 0.1, 0.1]));
        Assert.Equal(0, up.StandardError);
        Assert.Equal((0.0, 1.0), (up.PGreater(), up.PLess()));
        Assert.Equal((0.1, 0.1), up.Interval(0.99));
        Assert.Equal(1, up.PGreater(-0.2));
        var down = PairedEffect.OfDifferences(Rows([-0.1, -0.1]));
        Assert.Equal((1.0, 0.0), (down.PGreater(), down.PLess()));
        var none = PairedEffect.Of(Rows([0.3, 0.5]), Rows([0.3, 0.5]));
        Assert.Equal((1.0, 1.0), (none.PGreater(), none.PLess()));
    }

    [Fact]
    public void A_tail_beyond_the_library_search_bracket_still_has_a_quantile()
    {
        // Two images, df 1: the Cauchy, whose quantile at 1 − 1e-5 (tan(π(0.5 − 1e-5)) ≈ 31831) is far outside ±800.
        var e = PairedEffect.OfDifferences(Rows([0, 2]));
        Assert.Equal(1, e.DegreesOfFreedom);
        Assert.Equal(1, e.StandardError, 1e-12);
        var upper = e.Interval(1 - 2e-5).Upper;
        Assert.Equal(1 + Math.Tan(Math.PI * (0.5 - 1e-5)), upper, 1e-6 * upper);
    }

    [Fact]
    public void Shape_mismatch_names_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => PairedEffect.Of(Rows([1, 2, 3]), Rows([1, 2, 3], [1, 2, 3])));
        Assert.Contains("1 seed(s) × 3 units", e.Message);
        Assert.Contains("2 seed(s) × 3 units", e.Message);
        e = Assert.Throws<ArgumentException>(() => PairedEffect.Of(Rows([1, 2, 3]), Rows([1, 2])));
        Assert.Contains("1 seed(s) × 2 units", e.Message);
        e = Assert.Throws<ArgumentException>(() => PairedEffect.OfDifferences(Rows([1, 2], [1])));
        Assert.Contains("ragged", e.Message);
        Assert.Throws<ArgumentException>(() => PairedEffect.OfDifferences([]));
        Assert.Throws<ArgumentException>(() => PairedEffect.OfDifferences(Rows([])));
    }

    [Fact]
    public void A_NaN_names_its_seed_and_unit()
    {
        var e = Assert.Throws<ArgumentException>(() => PairedEffect.Of(Rows([1, 2], [3, 4]), Rows([1, 2], [3, double.NaN])));
        Assert.Contains("reference[1][1]", e.Message);
        Assert.Contains("seed index 1, unit index 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => PairedEffect.OfDifferences(Rows([1, double.PositiveInfinity])));
        Assert.Contains("d[0][1]", e.Message);
    }

    [Fact]
    public void Holm_matches_the_textbook_example()
    {
        var adjusted = Holm.Adjust([0.01, 0.04, 0.03, 0.005]);
        Assert.Equal([0.03, 0.06, 0.06, 0.02], adjusted.Select(p => Math.Round(p, 12)));
    }

    [Fact]
    public void Holm_is_monotone_capped_at_one_and_handles_ties_and_the_empty_family()
    {
        Assert.Equal([1.0, 1.0, 0.6], Holm.Adjust([0.5, 0.9, 0.2]).Select(p => Math.Round(p, 12)));
        Assert.Equal([0.03, 0.03, 0.03], Holm.Adjust([0.01, 0.01, 0.01]).Select(p => Math.Round(p, 12)));
        Assert.Empty(Holm.Adjust([]));
        Assert.Throws<ArgumentException>(() => Holm.Adjust([0.1, double.NaN]));
        Assert.Throws<ArgumentException>(() => Holm.Adjust([1.5]));
    }

    // Per-image scores around `level` with a deterministic spread, the same images in every seed.
    static double[][] Scores(int seeds, int images, double level, double spread = 0.05, int salt = 0) =>
        Enumerable.Range(0, seeds).Select(s => Enumerable.Range(0, images)
            .Select(i => level + spread * Math.Sin(1.7 * i + 0.9 * s + salt) + 0.01 * s).ToArray()).ToArray();

    static Comparison Compare(string label, double[][] pruned, double[][] dense, double[][]? control = null) => new(label, pruned, dense, control);

    [Fact]
    public void A_clear_gain_over_dense_and_control_is_supported()
    {
        var dense = Scores(1, 20, 0.30);
        var family = new[]
        {
            Compare("rma at 20 %", Scores(1, 20, 0.31, salt: 1), dense, Scores(1, 20, 0.30, salt: 2)),
            Compare("rma at 36 %", Scores(1, 20, 0.45, salt: 3), dense, Scores(1, 20, 0.30, salt: 4)),
            Compare("rma at 49 %", Scores(1, 20, 0.29, salt: 5), dense, Scores(1, 20, 0.30, salt: 6)),
        };
        var o = ClaimTest.Judge("pruning improves rma", family, new AnchorResult(true, "anchor ok: passed"));
        Assert.Equal(Verdict.Supported, o.Verdict);
        Assert.Equal("rma at 36 %", o.Comparison);
        Assert.Equal(3, o.Comparisons);
        Assert.Equal((1, 20), (o.Seeds, o.Images));
        Assert.Equal(1 - 0.05 / 3, o.Confidence!.Value, 1e-15);
        Assert.True(o.PAdjusted <= ClaimTest.Alpha);
        Assert.True(o.CiLower > 0 && o.CiLowerVsControl > 0);
        Assert.True(o.Effect > 0.1 && o.EffectVsControl > 0.1);
        Assert.Equal("anchor ok: passed", o.Anchor);
        Assert.True(o.AnchorPassed);
        Assert.Contains("is above the dense model and the control after Holm's correction", o.Evidence);
        Assert.Contains("rma at 36 %:", o.Evidence);
        Assert.Contains("1 seed, 20 images; per-image evidence only; seed-to-seed variation is not measured", o.Evidence);
        Assert.Contains("(98.33 % intervals)", o.Evidence);
    }

    [Fact]
    public void Beating_dense_but_not_the_control_is_not_supported()
    {
        var dense = Scores(1, 20, 0.30);
        var o = ClaimTest.Judge("c", [Compare("a", Scores(1, 20, 0.45, salt: 1), dense, Scores(1, 20, 0.45, salt: 2))], null);
        Assert.Equal(Verdict.Inconclusive, o.Verdict);
        Assert.True(o.CiLower > 0);
        Assert.True(o.PAdjusted > ClaimTest.Alpha);
        Assert.Equal("none for this claim", o.Anchor);
        Assert.Null(o.AnchorPassed);
    }

    [Fact]
    public void Every_comparison_significantly_below_both_references_is_contradicted_and_below_one_only_is_not()
    {
        var dense = Scores(3, 10, 0.40);
        var below = new[]
        {
            Compare("a", Scores(3, 10, 0.30, salt: 1), dense, Scores(3, 10, 0.42, salt: 2)),
            Compare("b", Scores(3, 10, 0.25, salt: 3), dense, Scores(3, 10, 0.55, salt: 4)),
        };
        var o = ClaimTest.Judge("c", below, null);
        Assert.Equal(Verdict.Contradicted, o.Verdict);
        Assert.Contains("Every one of the 2 comparisons is significantly below the dense model and the control", o.Evidence);
        Assert.DoesNotContain("per-image evidence only", o.Evidence);
        Assert.Contains("3 seeds, 10 images", o.Evidence);

        // below the dense model only, level with the control: not a contradiction
        var oneSided = new[] { Compare("a", Scores(3, 10, 0.30, salt: 1), dense, Scores(3, 10, 0.30, salt: 2)) };
        Assert.Equal(Verdict.Inconclusive, ClaimTest.Judge("c", oneSided, null).Verdict);
    }

    [Fact]
    public void One_comparison_level_with_both_references_keeps_it_inconclusive()
    {
        var dense = Scores(3, 10, 0.40);
        var family = new[]
        {
            Compare("a", Scores(3, 10, 0.30, salt: 1), dense, Scores(3, 10, 0.30, salt: 2)),
            Compare("b", Scores(3, 10, 0.40, salt: 3), dense, Scores(3, 10, 0.40, salt: 4)),
        };
        var o = ClaimTest.Judge("c", family, null);
        Assert.Equal(Verdict.Inconclusive, o.Verdict);
        Assert.Contains("None of the 2 comparisons is above the dense model and the control after Holm's correction, nor is every one significantly below", o.Evidence);
    }

    [Fact]
    public void A_failed_anchor_is_uninformative_but_the_effect_is_still_reported()
    {
        var dense = Scores(1, 20, 0.30);
        var family = new[] { Compare("rma at 36 %", Scores(1, 20, 0.45, salt: 3), dense) };
        var anchor = new AnchorResult(false, "dense RMA 0.12 vs uniform heatmap 0.12: failed");
        var o = ClaimTest.Judge("c", family, anchor);
        Assert.Equal(Verdict.Uninformative, o.Verdict);
        Assert.False(o.AnchorPassed);
        Assert.Equal(anchor.Description, o.Anchor);
        Assert.True(o.Effect > 0.1);
        Assert.NotNull(o.CiLower);
        Assert.Null(o.EffectVsControl);
        Assert.True(o.PAdjusted < ClaimTest.Alpha);
        Assert.Contains("The chance anchor failed (dense RMA 0.12 vs uniform heatmap 0.12: failed)", o.Evidence);
        Assert.DoesNotContain("vs control", o.Evidence);
    }

    [Fact]
    public void An_empty_family_is_no_claim_and_says_why()
    {
        var o = ClaimTest.Judge("c", [], null);
        Assert.Equal(Verdict.NoClaim, o.Verdict);
        Assert.Contains("too short to have an intermediate sparsity", o.Evidence);
        Assert.Null(o.Effect);
        var n = ClaimTest.NoClaim("c", "the paper states no testable claim here");
        Assert.Equal(Verdict.NoClaim, n.Verdict);
        Assert.Equal("the paper states no testable claim here", n.Evidence);
        Assert.Equal("none for this claim", n.Anchor);
    }

    [Fact]
    public void A_margin_turns_a_small_loss_into_non_inferiority()
    {
        var dense = Scores(1, 30, 0.50);
        var pruned = dense.Select(row => row.Select((v, i) => v - 0.01 + 0.002 * Math.Cos(i)).ToArray()).ToArray();
        Assert.Equal(Verdict.Contradicted, ClaimTest.Judge("c", [Compare("a", pruned, dense, dense)], null).Verdict);
        var o = ClaimTest.Judge("c", [Compare("a", pruned, dense, dense)], null, margin: 0.05, unit: "val images");
        Assert.Equal(Verdict.Supported, o.Verdict);
        Assert.True(o.Effect < 0);
        Assert.Contains("within the non-inferiority margin 0.050", o.Evidence);
        Assert.Contains("30 val images", o.Evidence);
    }

    [Fact]
    public void One_seed_without_a_control_is_at_most_inconclusive_and_says_what_the_test_alone_would_say()
    {
        var dense = Scores(1, 30, 0.50);
        var pruned = dense.Select(row => row.Select((v, i) => v + 0.1 + 0.002 * Math.Cos(i)).ToArray()).ToArray();
        var o = ClaimTest.Judge("c", [Compare("a", pruned, dense)], null);
        Assert.Equal(Verdict.Inconclusive, o.Verdict);
        Assert.True(o.PAdjusted < 0.001);
        Assert.Contains("The test alone would say supported", o.Evidence);
        Assert.Contains("train the control (pruning.control) or several seeds", o.Evidence);
        // two seeds, or a control, may decide
        Assert.Equal(Verdict.Supported, ClaimTest.Judge("c", [Compare("a", pruned, dense, dense)], null).Verdict);
        var twoSeeds = Scores(2, 30, 0.50);
        Assert.Equal(Verdict.Supported, ClaimTest.Judge("c", [Compare("a", twoSeeds.Select(r => r.Select(v => v + 0.1).ToArray()).ToArray(), twoSeeds)], null).Verdict);
    }

    [Fact]
    public void The_reported_comparison_has_the_smallest_adjusted_p_and_then_the_largest_effect()
    {
        // Both above dense by exactly equal (binary-exact) differences: p = 0 for both, so the larger effect is reported.
        var dense = Rows([0.25, 0.5, 0.375, 0.125]);
        var small = Rows([0.375, 0.625, 0.5, 0.25]);
        var large = Rows([0.5, 0.75, 0.625, 0.375]);
        var o = ClaimTest.Judge("c", [Compare("small", small, dense), Compare("large", large, dense)], null);
        Assert.Equal("large", o.Comparison);
        Assert.Equal(0, o.PAdjusted);
        Assert.Equal(0.25, o.Effect);
        Assert.Equal((0.25, 0.25), (o.CiLower, o.CiUpper));
    }

    [Fact]
    public void Arms_of_one_comparison_in_other_shapes_or_a_family_over_other_seeds_are_refused_with_the_shapes_named()
    {
        var mixedArms = Compare("b", Scores(1, 8, 0.3), Scores(1, 8, 0.3), Scores(2, 8, 0.3));
        var e = Assert.Throws<ArgumentException>(() => ClaimTest.Judge("c", [mixedArms], null));
        Assert.Contains("comparison 'b' control is 2 seed(s) × 8 units", e.Message);
        Assert.Contains("comparison 'b' pruned is 1 × 8", e.Message);

        var otherSeeds = new[] { Compare("a", Scores(1, 8, 0.3), Scores(1, 8, 0.3)), Compare("d", Scores(2, 8, 0.3), Scores(2, 8, 0.3)) };
        e = Assert.Throws<ArgumentException>(() => ClaimTest.Judge("c", otherSeeds, null));
        Assert.Contains("comparison 'd' holds 2 seed(s) but the family's first holds 1", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClaimTest.Judge("c", [otherSeeds[0]], null, margin: -0.1));
    }

    [Fact]
    public void Comparisons_over_different_numbers_of_images_form_one_family_and_the_verdict_names_the_images_of_its_comparison()
    {
        var o = ClaimTest.Judge("c", [Compare("small", Scores(1, 4, 0.3), Scores(1, 4, 0.3)), Compare("large", Scores(1, 12, 0.3), Scores(1, 12, 0.3))], null);
        Assert.Equal(2, o.Comparisons);
        Assert.Contains(o.Images, new[] { 4, 12 });
        Assert.Equal(o.Comparison == "small" ? 4 : 12, o.Images);
    }

    [Fact]
    public void A_single_seed_and_image_is_inconclusive_with_unbounded_intervals()
    {
        var o = ClaimTest.Judge("c", [Compare("a", Rows([0.9]), Rows([0.1]))], null, unit: "images");
        Assert.Equal(Verdict.Inconclusive, o.Verdict);
        Assert.Equal(1, o.PAdjusted);
        Assert.Equal(double.NegativeInfinity, o.CiLower);
        Assert.Contains("+0.800 [−∞, +∞] vs dense", o.Evidence);
        Assert.Contains("1 seed, 1 image;", o.Evidence);
    }

    [Fact]
    public void Anchors_test_dense_against_chance_a_level_and_a_ceiling()
    {
        var dense = Rows([0.30, 0.32, 0.31, 0.29, 0.33, 0.31]);
        var above = Anchors.Above("RMA", dense, Rows([0.12, 0.11, 0.13, 0.12, 0.12, 0.12]), "uniform heatmap");
        Assert.True(above.Passed);
        Assert.StartsWith("dense RMA 0.310 vs uniform heatmap 0.120: +0.190 [+0.176, +0.204] (90 % interval), p < 0.001: passed", above.Description);
        var level = Anchors.Above("RMA", dense, Rows([0.31, 0.30, 0.32, 0.31, 0.30, 0.32]), "uniform heatmap");
        Assert.False(level.Passed);
        Assert.EndsWith(": failed", level.Description);

        var correct = Rows([1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1]);
        var chance = Anchors.AboveLevel("top-1", correct, 1.0 / 3, "chance (1/3)");
        Assert.True(chance.Passed);
        Assert.StartsWith("dense top-1 0.750 vs chance (1/3) 0.333: +0.417 [", chance.Description);
        Assert.False(Anchors.AboveLevel("top-1", correct, 0.75, "chance").Passed);

        Assert.True(Anchors.BelowCeiling("top-1", correct, 0.99).Passed);
        var saturated = Anchors.BelowCeiling("top-1", Rows([1, 1, 1, 1]), 0.99);
        Assert.False(saturated.Passed);
        Assert.Equal("dense top-1 1.000 is above the ceiling 0.990, saturated with no room to improve: failed", saturated.Description);

        var all = Anchors.All(chance, saturated);
        Assert.False(all.Passed);
        Assert.Equal(chance.Description + "; " + saturated.Description, all.Description);
        Assert.True(Anchors.All(chance, above).Passed);
    }
}
