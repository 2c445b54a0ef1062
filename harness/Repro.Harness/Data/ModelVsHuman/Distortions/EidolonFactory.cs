using Repro.Torch;
using static TorchSharp.torch;

namespace Repro.Data.ModelVsHuman.Distortions;

/// <summary>
/// The Eidolon Factory's partially coherent disarray (Koenderink et al., "Eidolons: novel stimuli for vision
/// research", JoV 2017; Python translation gestaltrevision/Eidolon, called through Geirhos et al. 2018's wrapper.py
/// with picture size 256, σ from 1/√2 by factors √2, 12 scale levels):
/// <list type="number">
/// <item>the grey picture is embedded in a power-of-two plane about 1.5× its size, borders mirrored;</item>
/// <item>its Gaussian scale space is cut into difference-of-Gaussian slices (plus the coarsest level), which sum to
/// the picture;</item>
/// <item>per slice k, row and column displacement fields = coherence × (fresh white noise blurred at σ = grain) +
/// Σ_{j ≥ k} (white noise blurred at σ_j, scaled by σ_j / σ_max): coarse fields drag the fine slices along
/// (coherent), the grain field moves each slice on its own (incoherent);</item>
/// <item>each slice is resampled at its displaced positions × reach (nearest pixel below, clamped to the plane),
/// the slices are summed, the centre cut out and clipped to 0..255.</item>
/// </list>
/// Noise planes follow the factory: normal samples scaled to ±127.5 by their maximum, clipped at ±127, blurred,
/// and shifted by −mean/std (the factory's expression <c>c - m/v</c>, kept as written). Gaussian blurs are circular
/// 2-D convolutions with the factory's unnormalised sampled Gaussian; the factory's active code convolves the
/// flattened planes in 1-D (a one-row shear of half the kernel), this uses its 2-D variant. Random numbers come
/// from a seeded torch generator, so values differ from the factory's numpy draws while the statistics agree.
/// </summary>
internal static class EidolonFactory
{
    /// <summary>SZ of Geirhos et al.'s wrapper: the picture's longer side in pixels.</summary>
    public const int DefaultPictureSize = Config.AlignmentConfig.DefaultEidolonPictureSize;

    /// <summary>Picture.BuildScaleLevels: σ from 1/√2 by factors √2, ceil(2·log₂(σ_max)) levels, σ_max = size/4.</summary>
    public static double[] ScaleLevels(int pictureSize)
    {
        var n = (int)Math.Ceiling(2 * Math.Log(pictureSize / 4.0) / Math.Log(2));
        var levels = new double[n];
        levels[0] = 1 / Math.Sqrt(2);
        for (var i = 1; i < n; i++) levels[i] = Math.Sqrt(2) * levels[i - 1];
        return levels;
    }

    /// <param name="picture">Grey picture [h, w], values 0..255, longer side = <paramref name="pictureSize"/>.</param>
    /// <returns>The eidolon [h, w], values 0..255 truncated to integers.</returns>
    public static Tensor PartiallyCoherentDisarray(Tensor picture, double reach, double coherence, double grain,
        Generator generator, int pictureSize = DefaultPictureSize)
    {
        using var scope = NewDisposeScope();
        int h = (int)picture.shape[0], w = (int)picture.shape[1];
        int hh = PowerOfTwoCeiling(1.5 * h), ww = PowerOfTwoCeiling(1.5 * w);
        int dh = (hh - h) / 2, dw = (ww - w) / 2;
        var fat = Embed(picture.to(ScalarType.Float32), hh, ww, dh, dw);
        var levels = ScaleLevels(pictureSize);
        var maxSigma = pictureSize / 4.0;
        var n = levels.Length;

        var levelKernels = stack(levels.Select(s => KernelSpectrum(hh, ww, s)).ToArray());
        var scaleSpace = Convolve(fat.unsqueeze(0), levelKernels, hh, ww);
        var dog = cat([scaleSpace[..(n - 1)] - scaleSpace[1..], scaleSpace[(n - 1)..]], 0);

        var fields = new Displacements(levels, maxSigma, levelKernels, KernelSpectrum(hh, ww, grain), coherence, hh, ww, generator);
        var rowShift = fields.Next();
        var colShift = fields.Next();
        var rows = rowShift.mul(Scalars.Of(reach)).add(arange(Scalars.Of(0), Scalars.Of(hh), Scalars.One, ScalarType.Float32).view(1, hh, 1), Scalars.One)
            .clamp(Scalars.Of(0), Scalars.Of(hh - 1)).to(ScalarType.Int64);
        var cols = colShift.mul(Scalars.Of(reach)).add(arange(Scalars.Of(0), Scalars.Of(ww), Scalars.One, ScalarType.Float32).view(1, 1, ww), Scalars.One)
            .clamp(Scalars.Of(0), Scalars.Of(ww - 1)).to(ScalarType.Int64);
        var moved = dog.view(n, -1).gather(1, rows.mul(Scalars.Of(ww)).add(cols, Scalars.One).view(n, -1)).sum(dim: 0).view(hh, ww);

        return moved[dh..(dh + h), dw..(dw + w)].clamp(Scalars.Of(0), Scalars.Of(255)).trunc().MoveToOuterDisposeScope();
    }

    /// <summary>Picture in the middle, left/right strips mirrored, then top/bottom strips mirrored (EmbedImage).</summary>
    static Tensor Embed(Tensor p, int hh, int ww, int dh, int dw)
    {
        int h = (int)p.shape[0], w = (int)p.shape[1];
        var fat = zeros(hh, ww, ScalarType.Float32);
        fat[dh..(dh + h), ..dw].copy_(p[.., ..dw].flip(1));
        fat[dh..(dh + h), dw..(dw + w)].copy_(p);
        fat[dh..(dh + h), (ww - dw)..].copy_(p[.., (w - dw)..].flip(1));
        fat[..dh, ..].copy_(fat[dh..(2 * dh), ..].flip(0));
        fat[(hh - dh).., ..].copy_(fat[(hh - 2 * dh)..(hh - dh), ..].flip(0));
        return fat;
    }

    /// <summary>
    /// PartiallyCoherentScaledGaussianDataStack: per scale level, coherence × incoherent grain noise + coherent
    /// scaled noise. Each call gives the fields of one axis (rows, then columns).
    /// </summary>
    sealed class Displacements(double[] levels, double maxSigma, Tensor levelKernels, Tensor grainKernel, double coherence,
        int hh, int ww, Generator generator)
    {
        public Tensor Next()
        {
            var n = levels.Length;
            var scaled = tensor(levels.Select(s => (float)(s / maxSigma)).ToArray()).view(n, 1, 1);
            var perLevel = Blurred(RandomPlanes(n), levelKernels) * scaled;
            var coherent = perLevel.flip(0).cumsum(0).flip(0);
            // a zero coherence multiplies the incoherent fields away: skip drawing them
            return coherence == 0 ? coherent : Blurred(RandomPlanes(n), grainKernel.unsqueeze(0)).mul(Scalars.Of(coherence)).add(coherent, Scalars.One);
        }

        /// <summary>randomGaussianDataPlane: normal samples scaled so the largest magnitude is 127.5, clipped at ±127.</summary>
        Tensor RandomPlanes(int n)
        {
            var x = randn([n, hh, ww], ScalarType.Float32, generator: generator);
            return (x.mul(Scalars.Of(127.5f)) / x.abs().amax([1, 2], keepdim: true)).clamp(Scalars.Of(-127), Scalars.Of(127));
        }

        /// <summary>blurredRandomGaussianDataPlane: blur, then subtract mean/std (population std), per plane.</summary>
        Tensor Blurred(Tensor planes, Tensor kernels)
        {
            var c = Convolve(planes, kernels, hh, ww);
            var mean = c.mean([1, 2], keepdim: true);
            var std = (c - mean).pow(Scalars.Of(2)).mean([1, 2], keepdim: true).sqrt();
            return c - mean / std;
        }
    }

    static Tensor Convolve(Tensor planes, Tensor kernelSpectra, int hh, int ww) =>
        fft.irfft2(fft.rfft2(planes) * kernelSpectra, [hh, ww], [-2, -1]);

    /// <summary>
    /// rfft2 of the factory's Kernel(0, 0) on an hh × ww plane: the sampled Gaussian density in wrap-around coordinates
    /// (0..n/2, then negatives). The kernel is an outer product of two even sequences, so its spectrum is the real
    /// outer product of their 1-D spectra.
    /// </summary>
    static Tensor KernelSpectrum(int hh, int ww, double sigma)
    {
        static Tensor Axis(int n, double sigma) => tensor(Enumerable.Range(0, n)
            .Select(i => i <= n / 2 ? i : i - n)
            .Select(v => (float)(Math.Exp(-v * (double)v / (2 * sigma * sigma)) / (Math.Sqrt(2 * Math.PI) * sigma)))
            .ToArray());
        return fft.fft_(Axis(hh, sigma)).real.view(hh, 1) * fft.rfft(Axis(ww, sigma)).real.view(1, ww / 2 + 1);
    }

    static int PowerOfTwoCeiling(double n)
    {
        if (n < 1) return 1;
        var p = 1;
        while (p < n) p *= 2;
        return p;
    }
}
