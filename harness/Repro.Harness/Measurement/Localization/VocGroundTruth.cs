using Repro.Config;

namespace Repro.Measurement.Localization;

/// <summary>Binary object masks from VOC label-index masks (row-major class indices, 255 = void).</summary>
public static class VocGroundTruth
{
    /// <summary>
    /// <see cref="Fidelity.Paper"/>: the authors' binarisation (errata 1). The mask is read as RGB, so each pixel
    /// becomes its label's palette colour; the red channel is min-max scaled over the image and pixels above 0.5
    /// are object. With background (R 0) and void (R 224) present, as in almost every VOC mask, that makes the
    /// classes with R ≥ 128 (aeroplane, bird, bottle, car, chair, diningtable, horse, person, sheep, train) and
    /// the void border object, and the other ten classes background. A pixel at exactly 0.5 is background, and
    /// a mask whose red channel is constant has no object pixel (the 0/0 of the scaling compares false).
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
        var isObject = mode switch
        {
            Fidelity.Paper => PaperObjects(labels),
            Fidelity.Corrected => labels.Select(l => l != 0 && l != VocPalette.Void).ToArray(),
            _ => throw new ArgumentException($"binarise with {Fidelity.Paper} or {Fidelity.Corrected}, one at a time; got {mode}", nameof(mode)),
        };
        return new ObjectMask(height, width, isObject);
    }

    static bool[] PaperObjects(byte[] labels)
    {
        var red = labels.Select(l => (double)VocPalette.Find(l)!.Red).ToArray();
        double min = red.Min(), max = red.Max();
        return red.Select(r => (r - min) / (max - min) > 0.5).ToArray();
    }
}
