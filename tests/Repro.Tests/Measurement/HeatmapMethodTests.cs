using Repro.Config;
using Repro.Measurement.Attribution;
using Repro.Measurement.Localization;
using static Repro.Tests.Measurement.TorchTestSupport;
using static TorchSharp.torch;

namespace Repro.Tests.Measurement;

[Collection(SerialTorch.Name)]
[Trait("Category", TestCategories.Unit)]
public class HeatmapMethodTests
{
    [Fact]
    public void The_paper_ResNet_methods_give_one_non_negative_heatmap_per_image_at_the_input_size()
    {
        using var scope = NewDisposeScope();
        var model = SmallResNet();
        var x = Images(2, 32, 48);
        var methods = HeatmapMethod.ForResNet(model, seed: 1);
        Assert.Equal(["Grad-CAM", "Guided Grad-CAM", "IG+SmoothGrad"], methods.Select(m => m.Name));
        foreach (var method in methods)
        {
            var heatmaps = method.Heatmaps(x);
            Assert.Equal(2, heatmaps.Length);
            Assert.All(heatmaps, h => Assert.Equal((32, 48), (h.Height, h.Width)));
            Assert.All(heatmaps, h => Assert.True(h.Values.Max() > 0, $"{method.Name}: an informative heatmap"));
        }
        // Grad-CAM's pooled map is its own min-max scaled map.
        var gradCam = methods[0];
        Assert.Equal(Values(gradCam.Attribution.Attribute(x)), gradCam.Heatmaps(x).SelectMany(h => h.Values));
    }

    [Fact]
    public void Guided_Grad_CAM_has_one_variant_per_fidelity_mode_each_feeding_only_its_mode()
    {
        using var scope = NewDisposeScope();
        var model = SmallResNet();
        var both = HeatmapMethod.ForResNet(model, seed: 1, fidelities: [Fidelity.Paper, Fidelity.Corrected]);
        Assert.Equal(["Grad-CAM", "Guided Grad-CAM", "Guided Grad-CAM", "IG+SmoothGrad"], both.Select(m => m.Name));
        Assert.Equal([Fidelity.Paper], both[1].Only);
        Assert.Equal([Fidelity.Corrected], both[2].Only);
        Assert.True(both[0].Feeds(Fidelity.Paper) && both[0].Feeds(Fidelity.Corrected));
        Assert.False(both[1].Feeds(Fidelity.Corrected));
        Assert.False(both[2].Feeds(Fidelity.Paper));

        var x = Images(1, 64, 64);
        var paper = HeatmapMethod.ForResNet(model, seed: 1)[1];
        Assert.Equal([Fidelity.Paper], paper.Only);
        Assert.Equal(paper.Heatmaps(x)[0].Values, both[1].Heatmaps(x)[0].Values);
        Assert.NotEqual(both[1].Heatmaps(x)[0].Values, both[2].Heatmaps(x)[0].Values);
        foreach (var m in both) m.Dispose();
    }
}
