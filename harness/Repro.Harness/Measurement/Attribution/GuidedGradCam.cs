using Repro.Config;
using static TorchSharp.torch;

namespace Repro.Measurement.Attribution;

/// <summary>
/// Guided Grad-CAM (Selvaraju et al., 2017): guided backpropagation times the Grad-CAM map, both for the same class.
/// Result [B,3,H,W]. The Grad-CAM map is used as its instance is configured; <see cref="For"/> builds each
/// fidelity's variant.
/// </summary>
public sealed class GuidedGradCam : IClassAttribution
{
    readonly GradCam gradCam;
    readonly GuidedBackprop guidedBackprop;

    public nn.Module<Tensor, Tensor> Model => gradCam.Model;

    public GuidedGradCam(GradCam gradCam, GuidedBackprop guidedBackprop)
    {
        if (!ReferenceEquals(gradCam.Model, guidedBackprop.Model))
            throw new ArgumentException("Grad-CAM and guided backpropagation must explain the same model");
        this.gradCam = gradCam;
        this.guidedBackprop = guidedBackprop;
    }

    /// <summary>
    /// <see cref="Fidelity.Paper"/>: Captum's GuidedGradCam, which the authors call (guided_gradCAM in
    /// explainations_evaluation_metrics.py): LayerGradCam with relu_attributions=True, upsampled by
    /// LayerAttribution.interpolate in its default "nearest" mode, unscaled, times the guided backpropagation.
    /// <see cref="Fidelity.Corrected"/>: the map Grad-CAM is scored with (bilinear, min-max scaled), so the guided
    /// product is weighted on the same [0,1] scale as the Grad-CAM heatmap and is free of nearest's blocks.
    /// </summary>
    public static GuidedGradCam For(nn.Module<Tensor, Tensor> model, string layerName, Fidelity fidelity) => new(
        fidelity.RequireOne("Guided Grad-CAM") == Fidelity.Paper
            ? new GradCam(model, layerName, scaleToUnitRange: false, upsampling: InterpolationMode.Nearest)
            : new GradCam(model, layerName),
        new GuidedBackprop(model));

    public Tensor Attribute(Tensor input, Tensor? target = null)
    {
        ExplainedClass.RequireImageBatch(input);
        ExplainedClass.RequireEvalMode(Model);
        using var scope = NewDisposeScope();
        var classes = ExplainedClass.Resolve(Model, input, target);
        return (guidedBackprop.Attribute(input, classes) * gradCam.Attribute(input, classes)).MoveToOuterDisposeScope();
    }
}
