namespace Repro.Data;

/// <summary>Conversions from the datasets' annotation conventions to <see cref="PixelBox"/>.</summary>
public static class GroundTruthBoxes
{
    /// <summary>
    /// The shift LOST applies to VOC's xmin/ymin: VOC corners are 1-based inclusive pixel indices, so
    /// (1, 1, W, H) covers the whole image and becomes (0, 0, W, H). xmax/ymax are kept as they are.
    /// </summary>
    public const int VocOriginShift = -1;

    /// <summary>A VOC &lt;bndbox&gt;; <paramref name="originShift"/> is added to xmin and ymin (reference: −1).</summary>
    public static PixelBox FromVoc(double xmin, double ymin, double xmax, double ymax, int originShift = VocOriginShift) =>
        new(xmin + originShift, ymin + originShift, xmax, ymax);

    /// <summary>
    /// A COCO [x, y, width, height] box. LOST rounds each corner to an integer (Python's round, i.e. to even on
    /// .5); crowd annotations are the caller's to drop, as LOST does.
    /// </summary>
    public static PixelBox FromCoco(double x, double y, double width, double height) =>
        new(Math.Round(x, MidpointRounding.ToEven), Math.Round(y, MidpointRounding.ToEven),
            Math.Round(x + width, MidpointRounding.ToEven), Math.Round(y + height, MidpointRounding.ToEven));
}
