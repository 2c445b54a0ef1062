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
}
