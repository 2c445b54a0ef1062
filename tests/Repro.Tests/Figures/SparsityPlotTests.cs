using Repro.Figures;

namespace Repro.Tests.Figures;

/// <summary>The log axis of the non-zero-weights plots: round quantities as labels, whatever the range.</summary>
[Trait("Category", TestCategories.Unit)]
public class SparsityPlotTests
{
    static (string[] Labels, double[] Minor) Ticks(double from, double to)
    {
        var ticks = SparsityPlot.LogTicks(Math.Log10(from), Math.Log10(to));
        Assert.All(ticks, t => Assert.InRange(t.Position, Math.Log10(from) - 1e-9, Math.Log10(to) + 1e-9));
        return (ticks.Where(t => t.Label != null).Select(t => t.Label!).ToArray(),
                ticks.Where(t => t.Label == null).Select(t => Math.Round(Math.Pow(10, t.Position))).ToArray());
    }

    [Fact]
    public void Within_a_decade_labels_are_round_steps()
    {
        // the ci profile: 700k weights pruned twice by 20%
        var (labels, minor) = Ticks(420_000, 724_000);
        Assert.Equal(["450k", "500k", "550k", "600k", "650k", "700k"], labels);
        Assert.Contains(430_000, minor);
        Assert.Equal(["200k", "300k", "400k", "500k", "600k", "700k"], Ticks(180_000, 720_000).Labels);
    }

    [Fact]
    public void Across_decades_labels_are_decades_with_2_and_5_under_three_decades()
    {
        var (labels, minor) = Ticks(2_000, 800_000);
        Assert.Equal(["2k", "5k", "10k", "20k", "50k", "100k", "200k", "500k"], labels);
        Assert.Contains(300_000, minor);
        Assert.Equal(["10k", "100k", "1M", "10M"], Ticks(9_000, 25_000_000).Labels);
    }

    [Theory]
    [InlineData(12, "12")]
    [InlineData(1500, "1.5k")]
    [InlineData(1_000_000, "1M")]
    [InlineData(2_340_000_000, "2.34G")]
    public void Si_labels(double value, string label) => Assert.Equal(label, SparsityPlot.SiLabel(value));
}
