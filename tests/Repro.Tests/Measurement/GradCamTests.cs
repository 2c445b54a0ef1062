using Repro.Measurement.Attribution;
using TorchSharp;
using static Repro.Tests.Measurement.TorchTestSupport;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Repro.Tests.Measurement;

[Collection(SerialTorch.Name)]
[Trait("Category", TestCategories.Unit)]
public class GradCamTests
{
    [Fact]
    public void Default_layer_matches_a_hand_computation_on_the_layer4_features()
    {
        using var scope = NewDisposeScope();
        var model = SmallResNet();
        var x = Images(3, 64, 80);
        var target = tensor(new long[] { 1, 4, 7 });

        var cam = new GradCam(model).Attribute(x, target);

        // layer4.1 is the last block, so its output is the model's Features(x).
        Tensor expected;
        using (enable_grad())
        {
            var features = model.Features(x).detach().requires_grad_();
            var score = model.Head(features).gather(1, target.unsqueeze(1)).sum();
            var gradient = torch.autograd.grad([score], [features])[0];
            var map = relu((gradient.mean([2, 3], keepdim: true) * features).sum(1, keepdim: true));
            map = interpolate(map, [64, 80], mode: InterpolationMode.Bilinear, align_corners: false).flatten(1);
            var min = map.amin([1], keepdim: true);
            expected = ((map - min) / (map.amax([1], keepdim: true) - min)).view(3, 1, 64, 80);
        }
        Assert.Equal(new long[] { 3, 1, 64, 80 }, cam.shape);
        AllClose(expected, cam, 1e-5);
        var values = Values(cam);
        Assert.True(values.All(v => v is >= 0 and <= 1));
    }

    [Fact]
    public void Any_named_layer_works_and_the_hook_is_removed_afterwards()
    {
        using var scope = NewDisposeScope();
        var model = SmallResNet();
        var x = Images(2, 32, 32);
        Tensor before;
        using (no_grad()) before = model.call(x);

        var cam = new GradCam(model, "layer3.0.conv2").Attribute(x);

        Assert.Equal(new long[] { 2, 1, 32, 32 }, cam.shape);
        Assert.True(Values(cam).Max() > 0, "a non-trivial map");
        var layer = model.named_modules().Single(m => m.name == "layer3.0.conv2").module;
        Assert.Equal(0, ForwardHookCount(layer));
        using (no_grad()) AllClose(before, model.call(x), 0);
    }

    [Fact]
    public void An_unknown_layer_fails_with_the_available_names()
    {
        var model = SmallResNet();
        var error = Assert.Throws<ArgumentException>(() => new GradCam(model, "layer5.0"));
        Assert.Contains("'layer5.0'", error.Message);
        Assert.Contains("layer4.1", error.Message);
        Assert.Contains("layer2.0.downsample.0", error.Message);
    }

    [Fact]
    public void A_shared_module_called_twice_is_refused()
    {
        using var scope = NewDisposeScope();
        var model = SmallResNet();
        // A block's ReLU module runs twice per forward.
        var error = Assert.Throws<InvalidOperationException>(() => new GradCam(model, "layer4.1.relu").Attribute(Images(1, 32, 32)));
        Assert.Contains("called 2 times", error.Message);
    }
}
