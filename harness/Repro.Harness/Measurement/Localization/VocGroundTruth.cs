using Repro.Config;
using Repro.Data;

namespace Repro.Measurement.Localization;

/// <summary>Binary object masks from VOC label-index masks (row-major class indices, 255 = void).</summary>
public static class VocGroundTruth
{
    /// <summary>
    /// <see cref="Fidelity.Paper"/>: the authors' binarisation (errata 1). The mask is read as RGB, so each pixel
    /// becomes its label's palette colour, and goes through the images' transform (ImageDataset in datasets.py:
    /// ToTensor, then Normalize with the ImageNet mean and std); its red channel is min-max scaled over the image
    /// and pixels at or above 0.5 are object (evaluate_single in explainations_evaluation_metrics.py), all in
    /// float32. With background (R 0) and void (R 224) present, as in almost every VOC mask, that makes the classes
    /// with R ≥ 128 (aeroplane, bird, bottle, car, chair, diningtable, horse, person, sheep, train) and the void
    /// border object, and the other ten classes background. Where a red value lies exactly halfway, float32
    /// rounding decides: 128 between 64 and 192 scales to 0.50000006 (object), 64 between 0 and 128 to
    /// 0.49999994 (background); no palette value lands on 0.5 itself, where ≥ would count. A mask whose red channel
    /// is constant has no object pixel here (0/0 is NaN, which compares false); the authors' code would stop on such
    /// an image, its pixel count being NaN.
    /// <see cref="Fidelity.Corrected"/>: object = label ∉ {0, 255}.
    /// </summary>
    public static ObjectMask Binarize(byte[] labels, int height, int width, Fidelity mode)
    {
        if (labels.Length != height * width)
            throw new ArgumentException($"a {height}x{width} (HxW) label mask needs {height * width} labels; got {labels.Length}", nameof(labels));
        for (var i = 0; i < labels.Length; i++)
            if (VocPalette.Find(labels[i]) is null)
                throw new ArgumentException(
                    $"label {labels[i]} at row {i / width}, column {i % width} is not a VOC class index (0-20) or void (255)", nameof(labels));
        var isObject = mode.RequireOne("VOC ground truth") == Fidelity.Paper
            ? PaperObjects(labels)
            : labels.Select(l => l != 0 && l != VocPalette.Void).ToArray();
        return new ObjectMask(height, width, isObject);
    }

    static bool[] PaperObjects(byte[] labels)
    {
        var red = labels.Select(l => NormalizedRed(VocPalette.Find(l)!.Red)).ToArray();
        float min = red.Min(), max = red.Max();
        return red.Select(r => IsPaperObject((float)((float)(r - min) / (float)(max - min)))).ToArray();
    }

    /// <summary>The authors' threshold on a min-max scaled float32 value: 0.5 itself is object, NaN is not.</summary>
    internal static bool IsPaperObject(float scaled) => scaled >= 0.5f;

    /// <summary>
    /// torchvision's ToTensor then Normalize of a red value, rounded to float32 at every step as torch does: the
    /// boundary cases of the 0.5 threshold depend on that rounding.
    /// </summary>
    static float NormalizedRed(byte red)
    {
        var unit = (float)(red / 255f);
        return (float)((float)(unit - ImageTransforms.ImageNetMean[0]) / ImageTransforms.ImageNetStd[0]);
    }
}
