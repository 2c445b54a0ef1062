using Repro.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Measurement.Discovery;

/// <summary>
/// LOST on a backbone: the full-resolution image, ImageNet-normalised and zero-padded bottom/right to a multiple
/// of <see cref="PadMultiple"/> (by default the feature stride), goes through the backbone once; <see cref="Lost"/>
/// runs on its tokens on the same device, and the grid box is scaled by padded size / grid size per axis and clipped
/// to the unpadded image.
/// </summary>
public sealed class LostDiscoverer : IObjectDiscoverer
{
    readonly IDiscoveryFeatures features;
    readonly Lost lost;

    public LostDiscoverer(IDiscoveryFeatures features, Lost lost, int padMultiple)
    {
        if (padMultiple < 1) throw new ArgumentOutOfRangeException(nameof(padMultiple), padMultiple, "the padding multiple must be at least 1 px");
        (this.features, this.lost, PadMultiple) = (features, lost, padMultiple);
    }

    public LostDiscoverer(IDiscoveryFeatures features, Lost lost) : this(features, lost, features.Stride) { }
    public LostDiscoverer(IDiscoveryFeatures features) : this(features, new Lost()) { }

    public string Name => "lost";
    public IDiscoveryFeatures Features => features;
    /// <summary>Each side of the image is zero-padded up to a multiple of this many pixels.</summary>
    public int PadMultiple { get; }
    /// <summary>The features and the padding, in words (for the predictions files).</summary>
    public string Description => $"{features.Description}; image zero-padded to a multiple of {PadMultiple} px";

    public DiscoveryOutcome Discover(RgbImage image)
    {
        var stride = features.Stride;
        if (image.Width < stride || image.Height < stride)
            return DiscoveryOutcome.Problem(DiscoveryIssue.ImageSmallerThanStride,
                $"image {image.Width}x{image.Height} is smaller than one {stride}px feature stride");
        using var scope = NewDisposeScope();
        var x = DiscoveryInput.Padded(image, PadMultiple).to(features.Device);
        var patches = features.Extract(x);
        var result = lost.Run(patches.Tokens, patches.Rows, patches.Cols);
        // main_lost.py: scales = padded size / feature-map size, the map being what the backbone made of the padded image
        double scaleY = (double)x.shape[2] / patches.Rows, scaleX = (double)x.shape[3] / patches.Cols;
        return result.Succeeded
            ? DiscoveryOutcome.Found(result.Box.ToPixels(scaleX, scaleY, image.Width, image.Height), result.SeedRow, result.SeedCol)
            : DiscoveryOutcome.Problem(result.Issue, result.Detail!);
    }
}
