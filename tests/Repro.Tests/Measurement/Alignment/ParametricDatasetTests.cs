using Repro.Data;
using Repro.Data.ModelVsHuman.Distortions;
using Repro.Measurement.Alignment.Metrics;
using static Repro.Tests.Measurement.Alignment.TestImages;

namespace Repro.Tests.Measurement.Alignment;

/// <summary>Every parametric dataset's conditions at full size: seconds, for the eidolon factory's 512² plane.</summary>
[Trait("Category", TestCategories.Integration)]
public class ParametricDatasetTests
{
    static readonly RgbImage Image = Colourful(48, 40);

    [Fact]
    public void The_twelve_datasets_match_the_benchmark_and_every_condition_is_deterministic()
    {
        var distortions = ParametricDistortions.Create(AmplitudeSpectrum.MeanOf([Image]));
        Assert.Equal(BenchmarkConditions.Excluded.Keys.Order(), distortions.Select(d => d.Name).Order());
        foreach (var d in distortions)
        {
            Assert.Subset(d.Conditions.ToHashSet(), BenchmarkConditions.Excluded[d.Name].ToHashSet());
            var e = Assert.Throws<UnknownConditionException>(() => d.Apply(Image, "no-such-level", 0));
            Assert.Contains(d.Name, e.Message);
            // the eidolon factory works on a 512² plane whatever the input: I, II and III share the code, so one
            // full-size run (II: coherent and incoherent fields), the rest at a small picture size below
            var eidolon = d is EidolonDistortion;
            if (eidolon && d != EidolonDistortion.EidolonII) continue;
            foreach (var c in eidolon ? d.Conditions.TakeLast(1) : d.Conditions)
            {
                var a = d.Apply(Image, c, seed: 5);
                var expected = d.Name == "rotation" && c is "90" or "270" ? (Image.Height, Image.Width) : (Image.Width, Image.Height);
                Assert.Equal(expected, (a.Width, a.Height));
                if (!eidolon) Assert.Equal(a.Pixels, d.Apply(Image, c, seed: 5).Pixels);
                if (d.Name is not ("colour" or "false-colour") || c is "bw") Assert.True(ChannelsEqual(a), $"{d.Name} {c} should be grey");
            }
        }
    }
}
