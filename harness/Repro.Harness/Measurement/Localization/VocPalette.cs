namespace Repro.Measurement.Localization;

public sealed record VocClass(byte Label, string Name, byte Red, byte Green, byte Blue);

/// <summary>
/// PASCAL VOC 2012 segmentation classes with the colours their palette PNGs (SegmentationClass/*.png) use:
/// the colour of label i is the devkit's bit-interleaved colormap entry i; 255 is the "void" border.
/// </summary>
public static class VocPalette
{
    public const byte Void = 255;

    public static readonly IReadOnlyList<VocClass> Classes =
    [
        new(0, "background", 0, 0, 0),
        new(1, "aeroplane", 128, 0, 0),
        new(2, "bicycle", 0, 128, 0),
        new(3, "bird", 128, 128, 0),
        new(4, "boat", 0, 0, 128),
        new(5, "bottle", 128, 0, 128),
        new(6, "bus", 0, 128, 128),
        new(7, "car", 128, 128, 128),
        new(8, "cat", 64, 0, 0),
        new(9, "chair", 192, 0, 0),
        new(10, "cow", 64, 128, 0),
        new(11, "diningtable", 192, 128, 0),
        new(12, "dog", 64, 0, 128),
        new(13, "horse", 192, 0, 128),
        new(14, "motorbike", 64, 128, 128),
        new(15, "person", 192, 128, 128),
        new(16, "pottedplant", 0, 64, 0),
        new(17, "sheep", 128, 64, 0),
        new(18, "sofa", 0, 192, 0),
        new(19, "train", 128, 192, 0),
        new(20, "tvmonitor", 0, 64, 128),
        new(Void, "void", 224, 224, 192),
    ];

    /// <summary>The class of a label index, or null for an index VOC does not use (21-254).</summary>
    public static VocClass? Find(byte label) => label <= 20 ? Classes[label] : label == Void ? Classes[^1] : null;
}
