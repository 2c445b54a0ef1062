namespace Repro.Data;

/// <summary>
/// An axis-aligned box in continuous pixel coordinates (x to the right, y down): the region
/// [XMin, XMax) × [YMin, YMax), so a box over a whole W×H image is (0, 0, W, H).
/// </summary>
public readonly record struct PixelBox(double XMin, double YMin, double XMax, double YMax)
{
    public double Width => Math.Max(0, XMax - XMin);
    public double Height => Math.Max(0, YMax - YMin);
    public double Area => Width * Height;

    /// <summary>
    /// Intersection over union. The reference adds 1e-7 to heights and the union to avoid a division by
    /// zero; here a zero union gives 0 instead, which differs by under 1e-6 relative for boxes of a pixel or more.
    /// </summary>
    public static double IoU(PixelBox a, PixelBox b)
    {
        var iw = Math.Max(0, Math.Min(a.XMax, b.XMax) - Math.Max(a.XMin, b.XMin));
        var ih = Math.Max(0, Math.Min(a.YMax, b.YMax) - Math.Max(a.YMin, b.YMin));
        var intersection = iw * ih;
        var union = a.Area + b.Area - intersection;
        return union > 0 ? intersection / union : 0;
    }

    public override string ToString() => FormattableString.Invariant($"[{XMin:0.##}, {YMin:0.##}, {XMax:0.##}, {YMax:0.##})");
}
