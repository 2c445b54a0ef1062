using Repro.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Measurement.Discovery;

/// <summary>
/// LOST on a backbone: the full-resolution image, ImageNet-normalised and zero-padded bottom/right to a multiple
/// of the stride, goes through the backbone once; <see cref="Lost"/> runs on its tokens on the same device, and
/// the grid box is scaled by the stride and clipped to the unpadded image.
/// </summary>
public sealed class LostDiscoverer(IDiscoveryFeatures features, Lost lost) : IObjectDiscoverer
{
    public LostDiscoverer(IDiscoveryFeatures features) : this(features, new Lost()) { }

    public string Name => "lost";
    public IDiscoveryFeatures Features => features;

    public DiscoveryOutcome Discover(RgbImage image)
    {
        var stride = features.Stride;
        if (image.Width < stride || image.Height < stride)
            return DiscoveryOutcome.Problem(DiscoveryIssue.ImageSmallerThanStride,
                $"image {image.Width}x{image.Height} is smaller than one {stride}px feature stride");
        using var scope = NewDisposeScope();
        var x = DiscoveryInput.Padded(image, stride).to(features.Device);
        var patches = features.Extract(x);
        var result = lost.Run(patches.Tokens, patches.Rows, patches.Cols);
        return result.Succeeded
            ? DiscoveryOutcome.Found(result.Box.ToPixels(stride, image.Width, image.Height), result.SeedRow, result.SeedCol)
            : DiscoveryOutcome.Problem(result.Issue, result.Detail!);
    }
}
