using static TorchSharp.torch;

namespace Repro.Data.ModelVsHuman.Distortions;

/// <summary>
/// A greyscale image as doubles in [0, 1] (row-major), the representation the benchmark's stimulus code works in
/// (float64 images in [0, 1], skimage's rgb2gray, scipy's toimage for saving).
/// </summary>
internal sealed record GreyPlane(int Width, int Height, double[] Values)
{
    /// <summary>skimage.color.rgb2gray: Rec. 709 luminance weights on [0, 1] RGB.</summary>
    public static GreyPlane Luminance(RgbImage image)
    {
        var v = new double[image.Width * image.Height];
        var p = image.Pixels;
        for (int i = 0, j = 0; i < v.Length; i++, j += 3)
            v[i] = (0.2125 * p[j] + 0.7154 * p[j + 1] + 0.0721 * p[j + 2]) / 255.0;
        return new GreyPlane(image.Width, image.Height, v);
    }

    /// <summary>Clips to [0, 1] and writes the grey value into all three channels.</summary>
    public RgbImage ToImage()
    {
        var px = new byte[Values.Length * 3];
        for (int i = 0, j = 0; i < Values.Length; i++, j += 3)
            px[j] = px[j + 1] = px[j + 2] = ToByte(Values[i]);
        return new RgbImage(Width, Height, px);
    }

    /// <summary>scipy.misc.toimage(cmin=0, cmax=1): scale to 0..255 and round half up, after clipping.</summary>
    public static byte ToByte(double v) => (byte)Math.Floor(Math.Clamp(v, 0.0, 1.0) * 255.0 + 0.5);

    public GreyPlane Map(Func<double, double> f)
    {
        var v = new double[Values.Length];
        for (var i = 0; i < v.Length; i++) v[i] = f(Values[i]);
        return this with { Values = v };
    }

    public double Mean() => Values.Average();

    public Tensor ToTensor() => tensor(Values, [Height, Width], ScalarType.Float64);

    public static GreyPlane FromTensor(Tensor t)
    {
        var shape = t.shape;
        return new GreyPlane((int)shape[1], (int)shape[0], t.contiguous().to(ScalarType.Float64).data<double>().ToArray());
    }
}
