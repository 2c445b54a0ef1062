namespace Repro.Measurement.Localization;

/// <summary>Binary ground truth of one image, row-major [Height, Width]: true where a pixel belongs to an object.</summary>
public sealed class ObjectMask
{
    public int Height { get; }
    public int Width { get; }
    public bool[] IsObject { get; }
    public int ObjectPixels { get; }

    public ObjectMask(int height, int width, bool[] isObject)
    {
        if (height < 1 || width < 1) throw new ArgumentException($"a mask needs positive sides; got {height}x{width} (HxW)");
        if (isObject.Length != height * width)
            throw new ArgumentException($"a {height}x{width} (HxW) mask needs {height * width} values; got {isObject.Length}", nameof(isObject));
        Height = height;
        Width = width;
        IsObject = isObject;
        ObjectPixels = isObject.Count(o => o);
    }

    /// <summary>The mask of the tightest axis-aligned box around all object pixels (unchanged shape).</summary>
    public ObjectMask BoundingBox()
    {
        int top = Height, bottom = -1, left = Width, right = -1;
        for (var i = 0; i < IsObject.Length; i++)
        {
            if (!IsObject[i]) continue;
            int row = i / Width, column = i % Width;
            top = Math.Min(top, row); bottom = Math.Max(bottom, row);
            left = Math.Min(left, column); right = Math.Max(right, column);
        }
        var box = new bool[IsObject.Length];
        for (var row = top; row <= bottom; row++)
            Array.Fill(box, true, row * Width + left, right - left + 1);
        return new ObjectMask(Height, Width, box);
    }
}
