using Repro.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace Repro.Measurement.Attribution;

/// <summary>
/// Guided backpropagation (Springenberg et al., 2015): the input gradient of the target logit where every ReLU module
/// passes back only positive gradients, and only where its input was positive. Result [B,3,H,W].
/// Works on models whose ReLUs are <see cref="ReLU"/> modules called through <c>call</c> (torchvision's and ours);
/// a ReLU applied as a function would silently keep its plain gradient, so a model without ReLU modules is refused.
/// </summary>
public sealed class GuidedBackprop : IClassAttribution
{
    readonly List<ReLU> relus;

    public nn.Module<Tensor, Tensor> Model { get; }

    public GuidedBackprop(nn.Module<Tensor, Tensor> model)
    {
        Model = model;
        relus = model.modules().OfType<ReLU>().ToList();
        if (relus.Count == 0)
            throw new ArgumentException(
                $"{model.GetType().Name} has no ReLU modules; guided backpropagation needs its ReLUs as modules", nameof(model));
    }

    public Tensor Attribute(Tensor input, Tensor? target = null)
    {
        ExplainedClass.RequireImageBatch(input);
        ExplainedClass.RequireEvalMode(Model);
        using var grad = enable_grad();
        using var scope = NewDisposeScope();
        var x = input.detach().clone().requires_grad_();

        // A forward hook wraps each ReLU output in an identity whose backward clamps the gradient at zero; the ReLU's
        // own backward then zeroes it where the ReLU input was negative: together, the guided ReLU backward.
        var hooks = relus.Select(r => r.register_forward_hook((_, _, output) => PositiveGradientOnly.apply(output))).ToList();
        Tensor logits;
        try { logits = Model.call(x); }
        finally { foreach (var h in hooks) h.remove(); }
        // The hooks leave forward values unchanged, so these logits also give the top-1 class.
        var classes = target is null ? logits.argmax(1) : ExplainedClass.Resolve(Model, input, target);
        return autograd.grad([ExplainedClass.TargetScore(logits, classes)], [x])[0].detach().MoveToOuterDisposeScope();
    }

    sealed class PositiveGradientOnly : SingleTensorFunction<PositiveGradientOnly>
    {
        public override string Name => nameof(PositiveGradientOnly);

        // A copy, not the input itself: the ReLU ran in place, and a custom function's output must be a new tensor.
        public override Tensor forward(AutogradContext ctx, params object[] vars) => ((Tensor)vars[0]).clone();

        public override List<Tensor> backward(AutogradContext ctx, Tensor gradOutput) => [gradOutput.clamp_min(Scalars.Of(0))];
    }
}
