using System.Globalization;
using Repro.Torch;
using static TorchSharp.torch;

namespace Repro.Data.ModelVsHuman.Distortions;

/// <summary>
/// "eidolonI/II/III": the Eidolon Factory's partially coherent disarray (<see cref="EidolonFactory"/>) at reach
/// 1, 2, 4, …, 128, grain 10 and coherence 1.0 (I), 0.3 (II) or 0.0 (III). Conditions are the benchmark's
/// "reach-coherence×10-grain" names, e.g. "16-3-10". As in the factory, the picture is converted to grey (PIL 'L')
/// and resized so that its longer side is 256 pixels; the result is resized back to the input's size (bicubic with
/// antialiasing stands in for PIL's Lanczos).
/// </summary>
public sealed class EidolonDistortion : IDistortion
{
    public const double Grain = 10;
    static readonly int[] Reaches = [1, 2, 4, 8, 16, 32, 64, 128];

    public static readonly EidolonDistortion EidolonI = new("eidolonI", 10);
    public static readonly EidolonDistortion EidolonII = new("eidolonII", 3);
    public static readonly EidolonDistortion EidolonIII = new("eidolonIII", 0);

    readonly int _coherenceTenths;
    readonly int _pictureSize;

    /// <summary>The three eidolon sets with the factory working at <paramref name="pictureSize"/> (the benchmark's 256 unless smaller images make that a waste).</summary>
    public static IReadOnlyList<EidolonDistortion> All(int pictureSize = EidolonFactory.DefaultPictureSize) =>
        pictureSize == EidolonFactory.DefaultPictureSize ? [EidolonI, EidolonII, EidolonIII]
            : [new("eidolonI", 10, pictureSize), new("eidolonII", 3, pictureSize), new("eidolonIII", 0, pictureSize)];

    /// <param name="pictureSize">
    /// The factory's working size (longer side); the benchmark used 256. At another size, reach and grain (lengths
    /// in working pixels) are scaled by pictureSize / 256, so a condition displaces the same share of the picture.
    /// </param>
    internal EidolonDistortion(string name, int coherenceTenths, int pictureSize = EidolonFactory.DefaultPictureSize)
    {
        Name = name;
        _coherenceTenths = coherenceTenths;
        _pictureSize = pictureSize;
        Conditions = Reaches.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r}-{coherenceTenths}-{Grain}")).ToArray();
    }

    public string Name { get; }
    public IReadOnlyList<string> Conditions { get; }
    public double Coherence => _coherenceTenths / 10.0;

    public RgbImage Apply(RgbImage image, string condition, int seed)
    {
        if (!Conditions.Contains(condition)) throw new UnknownConditionException(Name, condition, Conditions);
        var scale = _pictureSize / (double)EidolonFactory.DefaultPictureSize;
        var reach = double.Parse(condition.Split('-')[0], CultureInfo.InvariantCulture) * scale;
        using var scope = NewDisposeScope();
        var (w, h) = WorkingSize(image.Width, image.Height, _pictureSize);
        var picture = Resize(PilGrey(image), h, w).round();
        using var generator = new Generator((ulong)seed);
        var eidolon = EidolonFactory.PartiallyCoherentDisarray(picture, reach, Coherence, Grain * scale, generator, _pictureSize);
        var back = Resize(eidolon, image.Height, image.Width).div(Scalars.Of(255.0));
        return GreyPlane.FromTensor(back).ToImage();
    }

    /// <summary>Picture.GetEmbeddingData: the longer side becomes the picture size, the other keeps the aspect ratio (Python 2 rounding).</summary>
    internal static (int Width, int Height) WorkingSize(int width, int height, int sz = EidolonFactory.DefaultPictureSize)
    {
        var aspect = height / (double)width;
        return aspect <= 1 ? (sz, (int)Math.Round(aspect * sz, MidpointRounding.AwayFromZero)) : ((int)Math.Round(sz / aspect, MidpointRounding.AwayFromZero), sz);
    }

    /// <summary>PIL's convert('L'): ITU-R 601-2 luma in fixed point, rounded.</summary>
    static Tensor PilGrey(RgbImage image)
    {
        var p = image.Pixels;
        var v = new float[image.Width * image.Height];
        for (int i = 0, j = 0; i < v.Length; i++, j += 3)
            v[i] = (p[j] * 19595 + p[j + 1] * 38470 + p[j + 2] * 7471 + 0x8000) >> 16;
        return tensor(v, [image.Height, image.Width]);
    }

    static Tensor Resize(Tensor grey, int height, int width)
    {
        if (grey.shape[0] == height && grey.shape[1] == width) return grey;
        return nn.functional.interpolate(grey.view(1, 1, grey.shape[0], grey.shape[1]), [height, width],
            mode: InterpolationMode.Bicubic, align_corners: false, antialias: true)[0, 0].clamp(Scalars.Of(0), Scalars.Of(255));
    }
}
