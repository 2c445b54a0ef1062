using Repro.Config;
using Repro.Measurement.Attribution;
using TorchSharp;
using TorchSharp.Modules;
using static Repro.Tests.Measurement.TorchTestSupport;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Repro.Tests.Measurement;

[Collection(SerialTorch.Name)]
[Trait("Category", TestCategories.Unit)]
public class GuidedBackpropTests
{
    /// <summary>x (2 values) → W1 → ReLU → W2 → 2 logits, with hand-picked weights and no biases.</summary>
    static Module<Tensor, Tensor> TwoLayerNet()
    {
        var first = Linear(2, 2, hasBias: false);
        var second = Linear(2, 2, hasBias: false);
        using (no_grad())
        {
            first.weight!.copy_(tensor(new float[,] { { 1, -1 }, { 2, 1 } }));
            second.weight!.copy_(tensor(new float[,] { { 3, -2 }, { 1, 1 } }));
        }
        var model = Sequential(("flatten", Flatten()), ("first", first), ("relu", ReLU()), ("second", second));
        model.eval();
        return model;
    }

    [Fact]
    public void Negative_gradients_stop_at_every_ReLU()
    {
        using var scope = NewDisposeScope();
        var model = TwoLayerNet();
        var x = tensor(new float[] { 1, 2 }).view(1, 1, 1, 2);
        // Hidden pre-activations (1-2, 2+2) = (-1, 4). Class 0: dL/dh = (3, -2); vanilla backprop through the ReLU
        // gives (0, -2) and W1ᵀ(0, -2) = (-4, -2); guided clamps -2 to 0 first, so nothing is left.
        // Class 1: dL/dh = (1, 1) → (0, 1) → W1ᵀ(0, 1) = (2, 1) either way.
        var guided = new GuidedBackprop(model);
        Assert.Equal([0f, 0f], Values(guided.Attribute(x, tensor(new long[] { 0 }))));
        Assert.Equal([2f, 1f], Values(guided.Attribute(x, tensor(new long[] { 1 }))));

        Tensor vanilla;
        using (enable_grad())
        {
            var input = x.clone().requires_grad_();
            vanilla = torch.autograd.grad([model.call(input)[0, 0]], [input])[0];
        }
        Assert.Equal([-4f, -2f], Values(vanilla));
    }

    [Fact]
    public void On_the_ResNet_it_differs_from_the_plain_gradient_and_leaves_the_model_unchanged()
    {
        using var scope = NewDisposeScope();
        var model = SmallResNet();
        var x = Images(2, 32, 32);
        var target = ExplainedClass.TopOne(model, x);
        Tensor Plain()
        {
            using var _ = enable_grad();
            var input = x.clone().requires_grad_();
            return torch.autograd.grad([model.call(input).gather(1, target.unsqueeze(1)).sum()], [input])[0];
        }
        var plainBefore = Plain();

        var guided = new GuidedBackprop(model).Attribute(x);

        Assert.Equal(x.shape, guided.shape);
        Assert.NotEqual(Values(plainBefore), Values(guided));
        var relus = model.modules().OfType<ReLU>().ToList();
        Assert.NotEmpty(relus);
        Assert.All(relus, r => Assert.Equal(0, ForwardHookCount(r)));
        AllClose(plainBefore, Plain(), 0);
    }

    [Fact]
    public void A_model_without_ReLU_modules_is_refused()
    {
        var model = Sequential(("flatten", Flatten()), ("fc", Linear(12, 2)));
        Assert.Throws<ArgumentException>(() => new GuidedBackprop(model));
    }

    [Fact]
    public void Guided_Grad_CAM_is_the_product_of_its_parts()
    {
        using var scope = NewDisposeScope();
        var model = SmallResNet();
        var x = Images(2, 48, 40);
        var gradCam = new GradCam(model);
        var guided = new GuidedBackprop(model);
        var target = ExplainedClass.TopOne(model, x);

        var product = new GuidedGradCam(gradCam, guided).Attribute(x);

        Assert.Equal(x.shape, product.shape);
        AllClose(guided.Attribute(x, target) * gradCam.Attribute(x, target), product, 1e-6);
        Assert.Throws<ArgumentException>(() => new GuidedGradCam(gradCam, new GuidedBackprop(SmallResNet(seed: 2))));
    }

    [Fact]
    public void Paper_Guided_Grad_CAM_is_Captums_an_unscaled_nearest_upsampled_map_times_guided_backprop()
    {
        using var scope = NewDisposeScope();
        var model = SmallResNet();
        var x = Images(2, 64, 96);
        var target = ExplainedClass.TopOne(model, x);

        // Captum's LayerGradCam with relu_attributions=True on layer4's output (the model's Features), by hand.
        Tensor cam;
        using (enable_grad())
        {
            var features = model.Features(x).detach().requires_grad_();
            var score = model.Head(features).gather(1, target.unsqueeze(1)).sum();
            var gradient = torch.autograd.grad([score], [features])[0];
            cam = functional.relu((gradient.mean([2, 3], keepdim: true) * features).sum(1, keepdim: true));
        }
        Assert.Equal(new long[] { 2, 1, 2, 3 }, cam.shape);
        // nearest from 2x3 to 64x96: every 32x32 block is one feature cell's value
        var upsampled = cam.repeat_interleave(32, 2).repeat_interleave(32, 3);
        var expected = new GuidedBackprop(model).Attribute(x, target) * upsampled;

        var paper = GuidedGradCam.For(model, GradCam.DefaultLayer, Fidelity.Paper).Attribute(x);
        AllClose(expected, paper, 1e-6);
        Assert.True(cam.max().item<float>() != 1f, "the paper's map is not min-max scaled");
    }

    [Fact]
    public void Corrected_Guided_Grad_CAM_uses_the_bilinear_min_max_scaled_map_of_the_Grad_CAM_heatmap()
    {
        using var scope = NewDisposeScope();
        var model = SmallResNet();
        var x = Images(2, 64, 96);
        var target = ExplainedClass.TopOne(model, x);
        var expected = new GuidedBackprop(model).Attribute(x, target) * new GradCam(model).Attribute(x, target);

        var corrected = GuidedGradCam.For(model, GradCam.DefaultLayer, Fidelity.Corrected).Attribute(x);
        AllClose(expected, corrected, 1e-6);
        var paper = GuidedGradCam.For(model, GradCam.DefaultLayer, Fidelity.Paper).Attribute(x);
        Assert.True((paper - corrected).abs().max().item<float>() > 1e-3, "the two fidelity modes' maps differ");
        Assert.Throws<ArgumentException>(() => GuidedGradCam.For(model, GradCam.DefaultLayer, Fidelity.Both));
    }
}
