using Repro.Torch;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace Repro.Measurement.Attribution;

/// <summary>
/// Grad-CAM (Selvaraju et al., ICCV 2017) on one named layer: ReLU of the channel sum of the layer's activations,
/// each channel weighted by its spatially averaged gradient of the target logit; upsampled to the input size
/// (bilinear, half-pixel centres as torch's align_corners=false) and min-max scaled per image. Result [B,1,H,W].
/// </summary>
public sealed class GradCam : IClassAttribution
{
    /// <summary>The paper's layer for ResNets: the last block of layer4.</summary>
    public const string DefaultLayer = "layer4.1";

    readonly nn.Module<Tensor, Tensor> layer;
    readonly bool scaleToUnitRange;
    readonly InterpolationMode upsampling;

    public nn.Module<Tensor, Tensor> Model { get; }
    public string LayerName { get; }

    /// <param name="layerName">A module name as listed by named_modules(), e.g. "layer4.1" or "layer3.0.conv2".</param>
    /// <param name="scaleToUnitRange">Min-max scale each map (the paper's Grad-CAM pooling); false keeps raw values.</param>
    /// <param name="upsampling">Bilinear (default) or Nearest (Captum's choice inside its Guided Grad-CAM).</param>
    public GradCam(nn.Module<Tensor, Tensor> model, string layerName = DefaultLayer, bool scaleToUnitRange = true,
        InterpolationMode upsampling = InterpolationMode.Bilinear)
    {
        if (upsampling is not (InterpolationMode.Bilinear or InterpolationMode.Nearest))
            throw new ArgumentException($"upsampling must be Bilinear or Nearest; got {upsampling}", nameof(upsampling));
        Model = model;
        LayerName = layerName;
        layer = FindLayer(model, layerName);
        this.scaleToUnitRange = scaleToUnitRange;
        this.upsampling = upsampling;
    }

    public Tensor Attribute(Tensor input, Tensor? target = null)
    {
        ExplainedClass.RequireImageBatch(input);
        ExplainedClass.RequireEvalMode(Model);
        using var grad = enable_grad();
        using var scope = NewDisposeScope();
        var (activation, probe, logits) = ForwardCapturing(input);
        using var ownedActivation = activation;
        using var ownedProbe = probe;
        var classes = target is null ? logits.argmax(1) : ExplainedClass.Resolve(Model, input, target);
        var gradient = autograd.grad([ExplainedClass.TargetScore(logits, classes)], [probe])[0];

        var channelWeights = gradient.mean([2, 3], keepdim: true);
        var cam = relu((channelWeights * activation).sum(1, keepdim: true));
        cam = interpolate(cam, [input.shape[2], input.shape[3]], mode: upsampling,
            align_corners: upsampling == InterpolationMode.Bilinear ? false : null);
        if (scaleToUnitRange) cam = MinMaxScaling.Apply(cam);
        return cam.detach().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Runs the model once and returns the layer's output together with a zero "probe" added to it: the gradient
    /// with respect to the probe is the gradient with respect to the activation. Both are detached from every
    /// dispose scope and owned by the caller: moving them into the caller's scope from inside the hook (when
    /// they were already there) left tensors whose finalizer threw on the disposed scope and crashed the process.
    /// </summary>
    (Tensor Activation, Tensor Probe, Tensor Logits) ForwardCapturing(Tensor input)
    {
        Tensor? activation = null, probe = null;
        var calls = 0;
        var hook = layer.register_forward_hook((_, _, output) =>
        {
            calls++;
            activation = output.detach().clone().DetachFromDisposeScope();
            probe = zeros_like(output).requires_grad_().DetachFromDisposeScope();
            return output.add(probe, Scalars.One);
        });
        Tensor logits;
        try { logits = Model.call(input); }
        finally { hook.remove(); }
        if (calls != 1)
            throw new InvalidOperationException(calls == 0
                ? $"layer '{LayerName}' was not called during the forward pass; Grad-CAM needs a layer on the path to the output"
                : $"layer '{LayerName}' was called {calls} times in one forward pass (a shared module); pick a layer that runs once, such as a whole block");
        return (activation!, probe!, logits);
    }

    static nn.Module<Tensor, Tensor> FindLayer(nn.Module<Tensor, Tensor> model, string name)
    {
        var modules = model.named_modules().ToList();
        var match = modules.FirstOrDefault(m => m.name == name).module;
        if (match is nn.Module<Tensor, Tensor> layer) return layer;
        var available = string.Join(", ", modules.Select(m => m.name).Where(n => n.Length > 0));
        throw new ArgumentException(match is null
            ? $"the model has no layer named '{name}'; available layers: {available}"
            : $"layer '{name}' is a {match.GetType().Name}, not a single-tensor module; available layers: {available}",
            nameof(name));
    }
}
