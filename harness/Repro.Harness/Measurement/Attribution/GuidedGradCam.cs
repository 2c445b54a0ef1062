using static TorchSharp.torch;

namespace Repro.Measurement.Attribution;

/// <summary>
/// Guided Grad-CAM (Selvaraju et al., 2017): guided backpropagation times the Grad-CAM map, both for the same class.
/// Result [B,3,H,W]. The Grad-CAM map is used as its instance is configured (the paper's: bilinear, min-max
/// scaled; Captum's Guided Grad-CAM multiplies by an unscaled, nearest-upsampled map instead).
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

    public Tensor Attribute(Tensor input, Tensor? target = null)
    {
        ExplainedClass.RequireImageBatch(input);
        ExplainedClass.RequireEvalMode(Model);
        using var scope = NewDisposeScope();
        var classes = ExplainedClass.Resolve(Model, input, target);
        return (guidedBackprop.Attribute(input, classes) * gradCam.Attribute(input, classes)).MoveToOuterDisposeScope();
    }
}
