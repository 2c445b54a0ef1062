using static TorchSharp.torch;

namespace Repro.Measurement.Attribution;

/// <summary>One feature-attribution method (Captum-style: one class per method, composites wrap others).</summary>
public interface IAttribution
{
    /// <summary>
    /// Attributions for a batch. <paramref name="input"/> is [B,3,H,W] in normalised space; <paramref name="target"/>
    /// holds one class index per image (int64, [B]); null explains each image's own top-1 class. The result is
    /// [B,C,H,W] on the input's device (C = 3 for gradient methods, 1 for map methods such as Grad-CAM), and the
    /// caller owns it.
    /// </summary>
    Tensor Attribute(Tensor input, Tensor? target = null);
}

/// <summary>An attribution of one classifier output, so that a wrapper can resolve the explained class once.</summary>
public interface IClassAttribution : IAttribution
{
    nn.Module<Tensor, Tensor> Model { get; }
}
