using Repro.Config;
using Repro.Data;
using static TorchSharp.torch;

namespace Repro.Measurement.Discovery;

/// <summary>Patch tokens [Rows·Cols, d] in row-major grid order, on the backbone's device.</summary>
public sealed record PatchTokens(Tensor Tokens, int Rows, int Cols);

/// <summary>A backbone's per-patch features, as LOST consumes them.</summary>
public interface IDiscoveryFeatures
{
    /// <summary>What the tokens are, in words (for result files and the report).</summary>
    string Description { get; }
    /// <summary>Pixels per patch along each side.</summary>
    int Stride { get; }
    Device Device { get; }
    /// <summary>Tokens of one image [1, 3, H, W], H and W multiples of <see cref="Stride"/>, already on <see cref="Device"/>.</summary>
    PatchTokens Extract(Tensor paddedImage);
}

public static class DiscoveryInput
{
    /// <summary>
    /// The authors' padding multiple: main_lost.py pads to --patch_size (default 16) for every backbone, and their
    /// run script run_lost_pruning_iterations.sh passed --patch_size 32.
    /// </summary>
    public const int AuthorsPadMultiple = 32;

    /// <summary>
    /// The padding multiple of a fidelity: <see cref="Fidelity.Paper"/> the authors' 32 px whatever the backbone;
    /// <see cref="Fidelity.Corrected"/> the feature stride, the smallest padding whose grid covers the image.
    /// </summary>
    public static int PadMultiple(int featureStride, Fidelity fidelity) =>
        fidelity.RequireOne("LOST's padding") == Fidelity.Paper ? AuthorsPadMultiple : featureStride;

    /// <summary>
    /// ImageNet-normalised [1, 3, H', W'] with H', W' rounded up to multiples of <paramref name="stride"/> (the
    /// padding multiple), the new rows and columns zero (bottom/right, after normalisation, as LOST pads).
    /// </summary>
    public static Tensor Padded(RgbImage image, int stride)
    {
        using var scope = NewDisposeScope();
        var x = ImageTransforms.Normalize(ImageTransforms.ToTensor(image));
        var padBottom = PaddedSize(image.Height, stride) - image.Height;
        var padRight = PaddedSize(image.Width, stride) - image.Width;
        return nn.functional.pad(x, [0, padRight, 0, padBottom]).unsqueeze(0).MoveToOuterDisposeScope();
    }

    public static int PaddedSize(int size, int stride) => (size + stride - 1) / stride * stride;
}
