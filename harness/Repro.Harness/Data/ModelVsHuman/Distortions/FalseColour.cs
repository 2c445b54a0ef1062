
namespace Repro.Data.ModelVsHuman.Distortions;

/// <summary>
/// "false-colour": colours replaced by their opponents (false_colour in Geirhos et al. 2018): pixel values through
/// the display's gamma to linear light, RGB → cone (LMS) activations (matrix M), cone contrasts around the grey
/// white point → DKL opponent channels (matrix N, Brainard 1996), the L−M and S−(L+M) channels negated, back to RGB,
/// clipped, and through the inverse gamma by nearest table entry. Luminance is unchanged; greys stay grey.
/// Approximation: the reference used its monitor's measured gamma table (x_gamma_function.npy), which is not
/// published in readable form; this uses a power law with exponent <see cref="ApproximateDisplayGamma"/>.
/// </summary>
public sealed class FalseColour : IDistortion
{
    public const double ApproximateDisplayGamma = 2.2;

    static readonly double[] GammaTable = Enumerable.Range(0, 256).Select(i => Math.Pow(i / 255.0, ApproximateDisplayGamma)).ToArray();

    public string Name => "false-colour";
    public IReadOnlyList<string> Conditions { get; } = ["True", "False"];

    public RgbImage Apply(RgbImage image, string condition, int seed) => condition switch
    {
        "True" => image with { Pixels = (byte[])image.Pixels.Clone() },
        "False" => Opponent(image),
        _ => throw new UnknownConditionException(Name, condition, Conditions),
    };

    static RgbImage Opponent(RgbImage image)
    {
        var src = image.Pixels;
        var dst = new byte[src.Length];
        Span<double> rgb = stackalloc double[3];
        for (var i = 0; i < src.Length; i += 3)
        {
            for (var c = 0; c < 3; c++) rgb[c] = GammaTable[src[i + c]];
            OpponentColours.Invert(rgb);
            for (var c = 0; c < 3; c++) dst[i + c] = NearestTableEntry(Math.Clamp(rgb[c], 0.0, 1.0));
        }
        return new RgbImage(image.Width, image.Height, dst);
    }

    static byte NearestTableEntry(double linear)
    {
        var k = Array.BinarySearch(GammaTable, linear);
        if (k >= 0) return (byte)k;
        k = ~k;
        if (k == 0) return 0;
        if (k == GammaTable.Length) return 255;
        return (byte)(linear - GammaTable[k - 1] <= GammaTable[k] - linear ? k - 1 : k);
    }
}

/// <summary>get_opponent_colours of Geirhos et al. 2018 on linear RGB; applying it twice is the identity.</summary>
internal static class OpponentColours
{
    /// <summary>Cone (L, M, S) activations of the monitor's R, G, B primaries (2-deg fundamentals).</summary>
    static readonly double[,] M =
    {
        { 0.1619982647, 0.208049264, 0.0389347448 },
        { 0.0330275785, 0.2496504557, 0.0618343518 },
        { 0.0015524055, 0.0198861001, 0.1890224274 },
    };

    static readonly double[] WhitePoint = [0.20449114, 0.17225619, 0.10523047];

    /// <summary>Cone contrasts → (luminance, L−M, S−(L+M)) opponent channels.</summary>
    static readonly double[,] N =
    {
        { 9.27590805, 9.27590805, 0 },
        { 7.86421647, -9.33587662, 0 },
        { -3.39709047, -3.39709047, 12.16230246 },
    };

    static readonly double[,] MInverse = Inverse(M);

    /// <summary>N⁻¹·diag(1, −1, −1)·N: flips both chromatic channels of cone contrasts.</summary>
    static readonly double[,] FlipChroma = Multiply(Inverse(N), Multiply(new double[,] { { 1, 0, 0 }, { 0, -1, 0 }, { 0, 0, -1 } }, N));

    public static void Invert(Span<double> rgb)
    {
        Span<double> delta = stackalloc double[3];
        Span<double> cones = stackalloc double[3];
        for (var i = 0; i < 3; i++) delta[i] = M[i, 0] * rgb[0] + M[i, 1] * rgb[1] + M[i, 2] * rgb[2] - WhitePoint[i];
        for (var i = 0; i < 3; i++) cones[i] = FlipChroma[i, 0] * delta[0] + FlipChroma[i, 1] * delta[1] + FlipChroma[i, 2] * delta[2] + WhitePoint[i];
        for (var i = 0; i < 3; i++) rgb[i] = MInverse[i, 0] * cones[0] + MInverse[i, 1] * cones[1] + MInverse[i, 2] * cones[2];
    }

    static double[,] Multiply(double[,] a, double[,] b)
    {
        var r = new double[3, 3];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
                for (var k = 0; k < 3; k++) r[i, j] += a[i, k] * b[k, j];
        return r;
    }

    static double[,] Inverse(double[,] a)
    {
        var det = a[0, 0] * (a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1])
                - a[0, 1] * (a[1, 0] * a[2, 2] - a[1, 2] * a[2, 0])
                + a[0, 2] * (a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]);
        var r = new double[3, 3];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
            {
                // cofactor of a[j, i] (transposed) over the determinant
                int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
                r[i, j] = (a[r0, c0] * a[r1, c1] - a[r0, c1] * a[r1, c0]) / det;
            }
        return r;
    }
}
