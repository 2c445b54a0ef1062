using Repro.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Measurement.Attribution;

/// <summary>
/// Integrated Gradients (Sundararajan et al., ICML 2017) from the zero baseline in normalised space:
/// (x − x₀) · ∫₀¹ ∂f_c(x₀ + α(x − x₀))/∂x dα, with f_c the target logit and the integral approximated by
/// <see cref="PathQuadrature"/> (paper: 50 Gauss-Legendre steps, Captum's default). The path points of all images
/// are evaluated <see cref="InternalBatchSize"/> at a time. Result [B,3,H,W].
/// </summary>
public sealed class IntegratedGradients : IClassAttribution
{
    static readonly Scalar One = 1.ToScalar();

    readonly PathQuadrature quadrature;

    public nn.Module<Tensor, Tensor> Model { get; }
    public int Steps { get; }
    public IntegrationRule Rule { get; }
    /// <summary>Path points per forward/backward pass (Captum's internal_batch_size); 1 = one step per pass.</summary>
    public int InternalBatchSize { get; }

    public IntegratedGradients(nn.Module<Tensor, Tensor> model, int steps = 50,
        IntegrationRule rule = IntegrationRule.GaussLegendre, int internalBatchSize = 50)
    {
        if (internalBatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(internalBatchSize), internalBatchSize, "must be at least 1");
        quadrature = PathQuadrature.For(rule, steps);
        Model = model;
        Steps = steps;
        Rule = rule;
        InternalBatchSize = internalBatchSize;
    }

    public Tensor Attribute(Tensor input, Tensor? target = null)
    {
        ExplainedClass.RequireImageBatch(input);
        ExplainedClass.RequireEvalMode(Model);
        using var grad = enable_grad();
        using var scope = NewDisposeScope();
        var classes = ExplainedClass.Resolve(Model, input, target);
        var x = input.detach();
        var baseline = zeros_like(x);
        var difference = x - baseline;
        var alphas = tensor(quadrature.Alphas, dtype: x.dtype, device: x.device);
        var weights = tensor(quadrature.Weights, dtype: x.dtype, device: x.device);
        var weightedGradientSum = zeros_like(x);

        // Path points in image-major order: point p belongs to image p / Steps, step p % Steps.
        var points = x.shape[0] * Steps;
        for (long start = 0; start < points; start += InternalBatchSize)
        {
            using var chunkScope = NewDisposeScope();
            using Scalar from = start.ToScalar(), to = Math.Min(start + InternalBatchSize, points).ToScalar();
            var index = arange(from, to, Scalars.One, dtype: ScalarType.Int64, device: x.device);
            var image = index.div(Scalars.Of(Steps), rounding_mode: RoundingMode.floor);
            var step = index.remainder(Scalars.Of(Steps));
            var shape = new long[] { -1, 1, 1, 1 };
            var pathPoints = baseline.index_select(0, image).add(alphas.index_select(0, step).view(shape) * difference.index_select(0, image), Scalars.One)
                .requires_grad_();
            var logits = Model.call(pathPoints);
            var gradient = autograd.grad([ExplainedClass.TargetScore(logits, classes.index_select(0, image))], [pathPoints])[0];
            weightedGradientSum.index_add_(0, image, gradient * weights.index_select(0, step).view(shape), One);
        }
        return (weightedGradientSum * difference).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Completeness gap per image: Σ attributions − (f_c(x) − f_c(x₀)). Zero for the exact integral; what remains is
    /// quadrature error (Captum's convergence delta).
    /// </summary>
    public Tensor CompletenessGap(Tensor input, Tensor attributions, Tensor target)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var classes = ExplainedClass.Resolve(Model, input, target).unsqueeze(1);
        var atInput = Model.call(input).gather(1, classes).squeeze(1);
        var atBaseline = Model.call(zeros_like(input)).gather(1, classes).squeeze(1);
        return (attributions.flatten(1).sum(1) - (atInput - atBaseline)).MoveToOuterDisposeScope();
    }
}
