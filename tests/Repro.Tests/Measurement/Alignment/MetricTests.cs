using Repro.Measurement.Alignment.Metrics;

namespace Repro.Tests.Measurement.Alignment;

[Trait("Category", TestCategories.Unit)]
public class MetricTests
{
    /// <summary>Decisions from a correctness pattern: '1' correct ("cat"), '0' wrong ("dog"); the category is "cat".</summary>
    static List<Decision> Pattern(string correct, string condition = "c", string prefix = "img") =>
        correct.Select((ch, i) => new Decision($"{prefix}{i}", condition, "cat", ch == '1' ? "cat" : "dog")).ToList();

    static ObserverDecisions Human(string name, List<Decision> d) => new(name, ObserverKind.Human, d);
    static ObserverDecisions Model(string name, List<Decision> d) => new(name, ObserverKind.Model, d);

    [Fact]
    public void Top1_accuracy_overall_and_per_condition()
    {
        var d = Pattern("1101", "a").Concat(Pattern("1000", "b", "other")).ToList();
        Assert.Equal(4 / 8.0, Top1Accuracy.Of(d));
        Assert.Equal([("a", 0.75), ("b", 0.25)], Top1Accuracy.PerCondition(d));
        Assert.Throws<ArgumentException>(() => Top1Accuracy.Of([]));
    }

    [Fact]
    public void Accuracy_difference_is_the_squared_gap()
    {
        Assert.Equal(0.0625, new AccuracyDifference().Compute(Pattern("1110"), Pattern("1100")), 12);
        Assert.Equal(0.0, new AccuracyDifference().Compute(Pattern("1010"), Pattern("0101")), 12);
    }

    [Fact]
    public void Observed_consistency_counts_trials_where_both_agree_on_correctness()
    {
        // agree on trials 0, 1, 4 (both right, both right, both wrong): 3 of 5
        Assert.Equal(0.6, new ObservedConsistency().Compute(Pattern("11010"), Pattern("11100")), 12);
        // trials are matched by image id, not by position
        var shuffled = Pattern("11100").AsEnumerable().Reverse().ToList();
        Assert.Equal(0.6, new ObservedConsistency().Compute(Pattern("11010"), shuffled), 12);
    }

    [Fact]
    public void Error_consistency_matches_hand_computed_kappas()
    {
        // identical error patterns: c_obs = 1 → κ = 1
        var same = ErrorConsistency.Analyse(Pattern("1101001"), Pattern("1101001"));
        Assert.Equal((1.0, 1.0), (same.ObservedConsistency, same.Kappa));
        // p1 = 0.6, p2 = 0.4; agreement on trials 1, 2, 3, 6, 7, 8 → c_obs = 0.6;
        // c_exp = 0.6·0.4 + 0.4·0.6 = 0.48, κ = (0.6 − 0.48)/(1 − 0.48)
        var r = ErrorConsistency.Analyse(Pattern("1111110000"), Pattern("0111000001"));
        Assert.Equal(0.6, r.ObservedConsistency, 12);
        Assert.Equal(0.48, r.ExpectedConsistency, 12);
        Assert.Equal(0.12 / 0.52, r.Kappa, 12);
        // p1 = 0.6, p2 = 0.5, c_obs = 0.7: c_exp = 0.5, κ = 0.4
        Assert.Equal(0.4, new ErrorConsistency().Compute(Pattern("1111110000"), Pattern("1111000001")), 12);
        // perfectly complementary errors at 50 % accuracy: κ = −1
        Assert.Equal(-1.0, new ErrorConsistency().Compute(Pattern("1100"), Pattern("0011")), 12);
        // both observers always wrong: c_exp = 1 = c_obs, defined as 1 by the benchmark
        Assert.Equal(1.0, new ErrorConsistency().Compute(Pattern("000"), Pattern("000")));
    }

    [Fact]
    public void Independent_errors_at_equal_accuracy_have_error_consistency_near_zero()
    {
        var rng = new Random(12);
        const int n = 40_000;
        string Draw() => new(Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.7 ? '1' : '0').ToArray());
        var r = ErrorConsistency.Analyse(Pattern(Draw()), Pattern(Draw()));
        Assert.InRange(r.Kappa, -0.02, 0.02);
        Assert.Equal(r.ExpectedConsistency, r.ObservedConsistency, 0.01);
        Assert.Equal(0.7 * 0.7 + 0.3 * 0.3, r.ExpectedConsistency, 0.01);
    }

    [Fact]
    public void Trials_must_match_image_for_image()
    {
        var e = Assert.Throws<ArgumentException>(() => new ObservedConsistency().Compute(Pattern("110"), Pattern("110", prefix: "x")));
        Assert.Contains("img0", e.Message);
        Assert.Throws<ArgumentException>(() => new ErrorConsistency().Compute(Pattern("110"), Pattern("1101")));
        var twice = Pattern("11").Concat(Pattern("1")).ToList();
        Assert.Throws<ArgumentException>(() => new ObservedConsistency().Compute(Pattern("111"), twice));
    }

    [Fact]
    public void Shape_bias_counts_shape_decisions_among_cue_decisions_and_skips_agreeing_cues()
    {
        CueConflictDecision D(string shape, string texture, string response) => new($"{shape}-{texture}-{response}", shape, texture, response);
        var decisions = new[]
        {
            D("cat", "dog", "cat"), D("cat", "dog", "cat"), D("car", "cat", "cat"), // shape, shape, texture
            D("dog", "car", "boat"),                                                 // neither cue
            D("cat", "cat", "cat"),                                                  // no conflict: left out
        };
        var r = ShapeBias.Of(decisions);
        Assert.Equal(2 / 5.0, r.FractionShape, 12);
        Assert.Equal(1 / 5.0, r.FractionTexture, 12);
        Assert.Equal(2 / 3.0, r.Bias, 12);
        Assert.True(double.IsNaN(ShapeBias.Of([D("cat", "dog", "boat")]).Bias));
    }

    [Fact]
    public void OOD_accuracy_averages_datasets_over_their_included_conditions()
    {
        // colour: "cr" is excluded, so only "bw" (0.5) counts; sketch has one condition (0.75)
        var colour = new DatasetDecisions("colour", Pattern("1111", "cr").Concat(Pattern("10", "bw", "g")).ToList());
        var sketch = new DatasetDecisions("sketch", Pattern("1110", "sketch"));
        Assert.Equal([("colour", 0.5), ("sketch", 0.75)], OodAccuracy.PerDataset([colour, sketch]));
        Assert.Equal(0.625, OodAccuracy.Of([colour, sketch]), 12);
        Assert.Throws<ArgumentException>(() => OodAccuracy.Of([new DatasetDecisions("rotation", Pattern("1", "0"))]));
    }

    [Fact]
    public void Benchmark_summary_averages_conditions_then_references_then_datasets()
    {
        // contrast: c100 excluded; conditions c50 and c10. Model accuracy 1.0 (c50), 0.5 (c10).
        var model = Model("pruned", Pattern("11", "c50").Concat(Pattern("10", "c10", "x")).Concat(Pattern("00", "c100", "y")).ToList());
        var h1 = Human("subject-01", Pattern("10", "c50").Concat(Pattern("00", "c10", "x")).Concat(Pattern("11", "c100", "y")).ToList());
        var h2 = Human("subject-02", Pattern("11", "c50").Concat(Pattern("10", "c10", "x")).Concat(Pattern("11", "c100", "y")).ToList());
        var contrast = new DatasetComparison("contrast", model, new ReferenceGroup(ReferenceKind.Human, [h1, h2]));
        var sketch = new DatasetComparison("sketch", Model("pruned", Pattern("1100", "s")), new ReferenceGroup(ReferenceKind.Human, [Human("subject-01", Pattern("1000", "s"))]));

        // accuracy difference: contrast h1 = mean((1−.5)², (.5−0)²) = .25, h2 = 0 → .125; sketch (.5 − .25)² = .0625
        var diff = AlignmentAggregate.Compute(new AccuracyDifference(), [contrast, sketch]);
        Assert.Equal(ReferenceKind.Human, diff.Reference);
        Assert.Equal(0.125, diff.PerDataset[0].Value, 12);
        Assert.Equal(0.0625, diff.PerDataset[1].Value, 12);
        Assert.Equal((0.125 + 0.0625) / 2, diff.Value, 12);
        Assert.Contains("vs human observers", diff.Label);

        // observed consistency: contrast h1 = mean(.5, .5) = .5, h2 = 1 → .75; sketch 3/4
        var obs = AlignmentAggregate.Compute(new ObservedConsistency(), [contrast, sketch]);
        Assert.Equal(0.75, obs.PerDataset[0].Value, 12);
        Assert.Equal(0.75, obs.Value, 12);
    }

    [Fact]
    public void A_dense_model_reference_is_never_labelled_human_alignment()
    {
        var dense = new ReferenceGroup(ReferenceKind.DenseModel, [Model("dense", Pattern("1100", "s"))]);
        var score = AlignmentAggregate.Compute(new ErrorConsistency(),
            [new DatasetComparison("sketch", Model("pruned-59%", Pattern("1110", "s")), dense)]);
        Assert.Equal(ReferenceKind.DenseModel, score.Reference);
        Assert.DoesNotContain("vs human", score.Label);
        Assert.Contains("not human alignment", score.Label);

        // a model cannot pose as a human reference, nor a human as the dense model
        Assert.Throws<ArgumentException>(() => new ReferenceGroup(ReferenceKind.Human, [Model("dense", Pattern("1", "s"))]));
        Assert.Throws<ArgumentException>(() => new ReferenceGroup(ReferenceKind.DenseModel, [Human("subject-01", Pattern("1", "s"))]));
        // and one summary cannot mix the two
        var human = new ReferenceGroup(ReferenceKind.Human, [Human("subject-01", Pattern("1100", "s"))]);
        var e = Assert.Throws<ArgumentException>(() => AlignmentAggregate.Compute(new ErrorConsistency(),
        [
            new DatasetComparison("sketch", Model("pruned", Pattern("1110", "s")), human),
            new DatasetComparison("edge", Model("pruned", Pattern("1110", "s")), dense),
        ]));
        Assert.Contains("edge", e.Message);
    }

    [Fact]
    public void Missing_reference_trials_in_a_condition_name_the_observer()
    {
        var model = Model("pruned", Pattern("11", "c50").Concat(Pattern("10", "c10", "x")).ToList());
        var human = Human("subject-07", Pattern("10", "c50"));
        var e = Assert.Throws<ArgumentException>(() => AlignmentAggregate.Compute(new ObservedConsistency(),
            [new DatasetComparison("contrast", model, new ReferenceGroup(ReferenceKind.Human, [human]))]));
        Assert.Contains("subject-07", e.Message);
        Assert.Contains("c10", e.Message);
    }
}
