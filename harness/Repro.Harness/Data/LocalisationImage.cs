namespace Repro.Data;

/// <summary>
/// A box in pixel-edge coordinates: (X1, Y1) is the top-left corner, (X2, Y2) the bottom-right one, so a box
/// over a whole W×H image is (0, 0, W, H). VOC's 1-based inclusive boxes map to (xmin-1, ymin-1, xmax, ymax),
/// COCO's [x, y, w, h] to (x, y, x+w, y+h).
/// </summary>
public readonly record struct PixelBox(double X1, double Y1, double X2, double Y2)
{
    public double Width => X2 - X1;
    public double Height => Y2 - Y1;
}

/// <summary>One annotated object of a localisation benchmark.</summary>
public sealed record GroundTruthObject(string ClassName, PixelBox Box, bool Difficult, bool Truncated);

/// <summary>An image of a localisation benchmark (VOC, COCO20k) with every annotated object, used at full resolution.</summary>
public sealed record LocalisationImage(string Id, string ImagePath, int Width, int Height, IReadOnlyList<GroundTruthObject> Objects);
