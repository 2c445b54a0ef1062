using Repro.Config;
using Repro.Figures;
using Repro.Measurement.Alignment.Metrics;

namespace Repro.Tests.Measurement.Alignment;

/// <summary>The per-dataset top-1 of the alignment figures in each fidelity: every image (paper) or the included conditions (corrected).</summary>
[Trait("Category", TestCategories.Unit)]
public class Top1FidelityTests
{
    /// <summary>Contrast: c100 and c03 are excluded by the benchmark, c50 is kept. '1' correct, '0' wrong.</summary>
    static List<Decision> Contrast() =>
    [
        .. Pattern("1111", "c100"), .. Pattern("0000", "c03"), .. Pattern("1100", "c50"),
    ];

    static IEnumerable<Decision> Pattern(string correct, string condition) =>
        correct.Select((ch, i) => new Decision($"{condition}-{i}", condition, "cat", ch == '1' ? "cat" : "dog"));

    static IterationDecisions Iteration(List<Decision> contrast) => new(0, 0, [new DatasetDecisions("contrast", contrast)]);

    [Fact]
    public void Paper_counts_every_image_and_corrected_the_included_conditions()
    {
        var it = Iteration(Contrast());
        Assert.Equal(6 / 12.0, AlignmentRecipe.Top1(it, "contrast", Fidelity.Paper), 12);
        Assert.Equal(2 / 4.0, AlignmentRecipe.Top1(it, "contrast", Fidelity.Corrected), 12);
        Assert.Equal(12, AlignmentRecipe.Correct(it, "contrast", Fidelity.Paper).Count());
        Assert.Equal([1.0, 1.0, 0.0, 0.0], AlignmentRecipe.Correct(it, "contrast", Fidelity.Corrected));
        Assert.Equal(AlignmentRecipe.Top1(it, "contrast", Fidelity.Paper), AlignmentRecipe.Correct(it, "contrast", Fidelity.Paper).Average(), 12);
    }

    [Fact]
    public void Paper_and_corrected_differ_only_where_the_benchmark_excludes_a_condition()
    {
        var kept = Pattern("1100", "c50").ToList();
        var it = Iteration(kept);
        Assert.Equal(AlignmentRecipe.Top1(it, "contrast", Fidelity.Paper), AlignmentRecipe.Top1(it, "contrast", Fidelity.Corrected));
        var sketch = Pattern("1000", "0").ToList();   // a non-parametric set excludes nothing
        Assert.Equal(BenchmarkConditions.CountedForTop1("sketch", sketch, Fidelity.Paper), BenchmarkConditions.CountedForTop1("sketch", sketch, Fidelity.Corrected));
    }

    [Fact]
    public void Corrected_top1_of_a_dataset_with_only_excluded_conditions_is_an_error_naming_it()
    {
        var excluded = Pattern("10", "c100").ToList();
        Assert.Equal(0.5, AlignmentRecipe.Top1(Iteration(excluded), "contrast", Fidelity.Paper));
        var e = Assert.Throws<ArgumentException>(() => AlignmentRecipe.Top1(Iteration(excluded), "contrast", Fidelity.Corrected));
        Assert.Contains("'contrast'", e.Message);
        Assert.Contains("excluded", e.Message);
        Assert.Throws<ArgumentException>(() => BenchmarkConditions.CountedForTop1("contrast", excluded, Fidelity.Both));
    }

    [Theory]
    [InlineData(Fidelity.Paper, Fidelity.Paper, false)]
    [InlineData(Fidelity.Both, Fidelity.Paper, false)]
    [InlineData(Fidelity.Corrected, Fidelity.Corrected, true)]
    public void The_profile_fidelity_chooses_the_top1_and_corrected_reports_its_deviation(Fidelity profileFidelity, Fidelity top1, bool listed)
    {
        var profile = ProfileLoader.Load(TestSupport.RepoRoot, "ci");
        profile.Fidelity = profileFidelity;
        Assert.Equal(top1, AlignmentRecipe.Top1Fidelity(profile));
        var paper = ProfileLoader.Load(TestSupport.RepoRoot, "paper");
        Assert.Equal(listed, AlignmentRecipe.Deviations(profile, paper).Contains(AlignmentRecipe.CorrectedTop1Deviation));
        Assert.Equal(listed, AlignmentRecipe.Deviations(profile, null).Contains(AlignmentRecipe.CorrectedTop1Deviation));
    }
}
