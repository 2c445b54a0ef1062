using Repro.Measurement.Attribution;
using TorchSharp;
using TorchSharp.Modules;
using static Repro.Tests.Measurement.TorchTestSupport;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Repro.Tests.Measurement;

[Collection(SerialTorch.Name)]
[Trait("Category", TestCategories.Unit)]
public class IntegratedGradientsTests
{
    static Module<Tensor, Tensor> Linear64()
    {
        manual_seed(3);
        var model = Sequential(("flatten", Flatten()), ("fc", Linear(3 * 4 * 5, 3)));
        model.to(ScalarType.Float64);
        model.eval();
        return model;
    }

    /// <summary>Smooth (tanh) so that the path integral is analytic and Gauss-Legendre converges fast.</summary>
    static Module<Tensor, Tensor> Smooth64()
    {
        manual_seed(4);
        var model = Sequential(("conv", Conv2d(3, 4, 3, padding: 1)), ("tanh", Tanh()),
            ("flatten", Flatten()), ("fc", Linear(4 * 4 * 5, 3)));
        model.to(ScalarType.Float64);
        model.eval();
        return model;
    }

    [Theory]
    [InlineData(IntegrationRule.GaussLegendre)]
    [InlineData(IntegrationRule.RiemannLeft)]
    [InlineData(IntegrationRule.RiemannRight)]
    [InlineData(IntegrationRule.RiemannMiddle)]
    [InlineData(IntegrationRule.RiemannTrapezoid)]
    public void On_a_linear_model_every_rule_gives_input_times_weight(IntegrationRule rule)
    {
        using var scope = NewDisposeScope();
        var model = Linear64();
        var x = Images(2, 4, 5, dtype: ScalarType.Float64);
        var target = tensor(new long[] { 2, 0 });
        var ig = new IntegratedGradients(model, steps: 5, rule: rule, internalBatchSize: 3);

        var attributions = ig.Attribute(x, target);

        var weight = ((Linear)model.named_children().Single(c => c.name == "fc").module).weight!;
        var expected = x * weight.index_select(0, target).view(2, 3, 4, 5);
        AllClose(expected, attributions, 1e-12);
        Assert.True(Doubles(ig.CompletenessGap(x, attributions, target)).All(g => Math.Abs(g) < 1e-10));
    }

    [Fact]
    public void Attributions_sum_to_the_output_difference_within_the_quadrature_error()
    {
        using var scope = NewDisposeScope();
        var model = Smooth64();
        var x = Images(3, 4, 5, dtype: ScalarType.Float64);
        var target = tensor(new long[] { 0, 1, 2 });

        var gauss = new IntegratedGradients(model, steps: 50, rule: IntegrationRule.GaussLegendre, internalBatchSize: 16);
        var gaussGap = Doubles(gauss.CompletenessGap(x, gauss.Attribute(x, target), target)).Max(Math.Abs);
        var left = new IntegratedGradients(model, steps: 50, rule: IntegrationRule.RiemannLeft, internalBatchSize: 16);
        var leftGap = Doubles(left.CompletenessGap(x, left.Attribute(x, target), target)).Max(Math.Abs);

        using var _ = no_grad();
        var difference = Doubles(model.call(x).gather(1, target.unsqueeze(1)) - model.call(zeros_like(x)).gather(1, target.unsqueeze(1)));
        Assert.True(difference.Max(Math.Abs) > 1e-2, "the test needs a non-trivial output difference");
        Assert.True(gaussGap < 1e-9, $"Gauss-Legendre completeness gap {gaussGap}");
        // The left Riemann sum's error is first order in 1/steps: far above Gauss-Legendre's, yet small.
        Assert.True(leftGap > 1000 * gaussGap && leftGap < 0.1 * difference.Max(Math.Abs), $"left Riemann gap {leftGap}");
    }

    [Fact]
    public void Batching_the_path_steps_does_not_change_the_result()
    {
        using var scope = NewDisposeScope();
        var model = TorchTestSupport.SmallResNet();
        var x = Images(2, 32, 40);
        var oneStepPerPass = new IntegratedGradients(model, steps: 8, internalBatchSize: 1).Attribute(x);
        var unevenChunks = new IntegratedGradients(model, steps: 8, internalBatchSize: 5).Attribute(x);
        var everythingAtOnce = new IntegratedGradients(model, steps: 8, internalBatchSize: 1000).Attribute(x);
        AllClose(oneStepPerPass, unevenChunks, 1e-4);
        AllClose(oneStepPerPass, everythingAtOnce, 1e-4);
    }

    [Fact]
    public void Without_a_target_the_top_one_class_is_explained()
    {
        using var scope = NewDisposeScope();
        var model = Smooth64();
        var x = Images(3, 4, 5, dtype: ScalarType.Float64);
        var ig = new IntegratedGradients(model, steps: 10);
        var topOne = ExplainedClass.TopOne(model, x);
        AllClose(ig.Attribute(x, topOne), ig.Attribute(x), 0);
        var other = (topOne + 1).remainder(3);
        Assert.NotEqual(Doubles(ig.Attribute(x, topOne)), Doubles(ig.Attribute(x, other)));
    }

    [Fact]
    public void Training_mode_and_bad_targets_are_refused()
    {
        using var scope = NewDisposeScope();
        var model = Smooth64();
        var x = Images(2, 4, 5, dtype: ScalarType.Float64);
        var ig = new IntegratedGradients(model, steps: 4);
        Assert.Throws<ArgumentException>(() => ig.Attribute(x, tensor(new long[] { 0, 1, 2 })));
        Assert.Throws<ArgumentException>(() => ig.Attribute(x.flatten(1)));
        model.train();
        var error = Assert.Throws<InvalidOperationException>(() => ig.Attribute(x));
        Assert.Contains("model.eval()", error.Message);
    }

    [Fact]
    public void The_ResNets_input_gradient_matches_double_precision()
    {
        // Guards every gradient method against wrong float32 CPU kernels (see TorchTestSupport.SmallResNet).
        using var scope = NewDisposeScope();
        var model = TorchTestSupport.SmallResNet();
        var reference = TorchTestSupport.SmallResNet();
        reference.to(ScalarType.Float64);
        var x = Images(2, 48, 64);
        var target = tensor(new long[] { 3, 8 });
        var ig = new IntegratedGradients(model, steps: 4);
        var ig64 = new IntegratedGradients(reference, steps: 4);
        AllClose(ig64.Attribute(x.to(ScalarType.Float64), target), ig.Attribute(x, target), 1e-4);
    }
}
