using Repro.Data;
using Repro.Data.ModelVsHuman.Distortions;
using Repro.Measurement.Alignment.Metrics;
using static Repro.Tests.Measurement.Alignment.TestImages;

namespace Repro.Tests.Measurement.Alignment;

[Trait("Category", TestCategories.Unit)]
public class DistortionTests
{
    static readonly RgbImage Image = Colourful(48, 40);
    static readonly RgbImage GreyImage = new ColourDistortion().Apply(Image, "bw", 0);

    /// <summary>The eidolon algorithm at a 64-pixel picture size (8 scale levels on a 128² plane) for fast property checks.</summary>
    static readonly EidolonDistortion SmallEidolonI = new("eidolonI", 10, pictureSize: 64);
    static readonly EidolonDistortion SmallEidolonIII = new("eidolonIII", 0, pictureSize: 64);

    [Fact]
    public void Greyscale_has_equal_channels_and_colour_condition_keeps_the_image()
    {
        var colour = new ColourDistortion();
        Assert.True(ChannelsEqual(colour.Apply(Image, "bw", 0)));
        Assert.False(ChannelsEqual(Image));
        Assert.Equal(Image.Pixels, colour.Apply(Image, "cr", 0).Pixels);
        // Rec. 709 luminance of one pixel, by hand
        var (r, g, b) = (Image[3, 5, 0], Image[3, 5, 1], Image[3, 5, 2]);
        Assert.Equal((byte)Math.Floor(0.2125 * r + 0.7154 * g + 0.0721 * b + 0.5), colour.Apply(Image, "bw", 0)[3, 5, 0]);
    }

    [Fact]
    public void Seeded_distortions_change_with_the_seed()
    {
        Assert.NotEqual(new UniformNoise().Apply(Image, "0.2", 1).Pixels, new UniformNoise().Apply(Image, "0.2", 2).Pixels);
        Assert.NotEqual(new PhaseScrambling().Apply(Image, "90", 1).Pixels, new PhaseScrambling().Apply(Image, "90", 2).Pixels);
        Assert.NotEqual(SmallEidolonI.Apply(Image, "16-10-10", 1).Pixels, SmallEidolonI.Apply(Image, "16-10-10", 2).Pixels);
        Assert.Equal(SmallEidolonI.Apply(Image, "16-10-10", 1).Pixels, SmallEidolonI.Apply(Image, "16-10-10", 1).Pixels);
    }

    [Fact]
    public void Contrast_scales_around_mid_grey()
    {
        var contrast = new ContrastDistortion();
        Assert.Equal(GreyImage.Pixels, contrast.Apply(Image, "c100", 0).Pixels);
        var low = contrast.Apply(Image, "c10", 0);
        Assert.All(low.Pixels, p => Assert.InRange(p, (int)Math.Floor(0.45 * 255), (int)Math.Ceiling(0.55 * 255)));
        Assert.Equal(0.45 * 255 + 0.1 * Mean(GreyImage), Mean(low), 0.6);
        Assert.Equal(0.01 * Math.Sqrt(Variance(GreyImage)), Math.Sqrt(Variance(contrast.Apply(Image, "c01", 0))), 0.6);
    }

    [Fact]
    public void Uniform_noise_stays_within_its_width_of_the_30_percent_contrast_image()
    {
        var noise = new UniformNoise();
        var baseline = noise.Apply(Image, "0.0", 3);
        Assert.Equal(new ContrastDistortion().Apply(Image, "c30", 0).Pixels, baseline.Pixels);
        foreach (var (condition, width) in new[] { ("0.03", 0.03), ("0.1", 0.1), ("0.35", 0.35) })
        {
            var noisy = noise.Apply(Image, condition, 3);
            Assert.InRange(MaxAbsDifference(noisy, baseline), 1, (int)Math.Ceiling(width * 255) + 1);
        }
        // at width 0.9 clipping to [0, 1] saturates many pixels
        var strong = noise.Apply(Image, "0.9", 3);
        Assert.Contains((byte)0, strong.Pixels);
        Assert.Contains((byte)255, strong.Pixels);
    }

    [Fact]
    public void Rotating_four_quarter_turns_is_the_identity()
    {
        var rotation = new RotationDistortion();
        var once = rotation.Apply(Image, "90", 0);
        Assert.Equal((Image.Height, Image.Width), (once.Width, once.Height));
        // counter-clockwise: the top-right pixel moves to the top-left
        Assert.Equal(GreyImage[0, Image.Width - 1, 0], once[0, 0, 0]);
        var x = GreyImage;
        for (var i = 0; i < 4; i++) x = rotation.Apply(x, "90", 0);
        Assert.Equal(GreyImage.Pixels, x.Pixels);
        Assert.Equal(GreyImage.Pixels, rotation.Apply(rotation.Apply(GreyImage, "90", 0), "270", 0).Pixels);
        Assert.Equal(rotation.Apply(rotation.Apply(GreyImage, "90", 0), "90", 0).Pixels, rotation.Apply(GreyImage, "180", 0).Pixels);
        Assert.Equal(GreyImage.Pixels, rotation.Apply(Image, "0", 0).Pixels);
    }

    [Fact]
    public void False_colour_applied_twice_is_the_identity()
    {
        var rng = new Random(4);
        Span<double> rgb = stackalloc double[3];
        for (var i = 0; i < 200; i++)
        {
            double r = rng.NextDouble(), g = rng.NextDouble(), b = rng.NextDouble();
            (rgb[0], rgb[1], rgb[2]) = (r, g, b);
            OpponentColours.Invert(rgb);
            OpponentColours.Invert(rgb);
            Assert.Equal(r, rgb[0], 1e-9);
            Assert.Equal(g, rgb[1], 1e-9);
            Assert.Equal(b, rgb[2], 1e-9);
        }

        var falseColour = new FalseColour();
        // greys are opponent-neutral, so they stay (within the white point's 8-digit rounding)
        Assert.InRange(MaxAbsDifference(falseColour.Apply(GreyImage, "False", 0), GreyImage), 0, 1);
        // muted colours stay in gamut, so twice returns them up to gamma-table quantisation
        var muted = Grey(32, 32, (_, _) => 0) with { Pixels = Enumerable.Range(0, 32 * 32 * 3).Select(i => (byte)(110 + (i * 7919 % 41))).ToArray() };
        var once = falseColour.Apply(muted, "False", 0);
        Assert.True(MeanAbsDifference(once, muted) > 2, "opponent colours should change a coloured image");
        Assert.InRange(MaxAbsDifference(falseColour.Apply(once, "False", 0), muted), 0, 2);
        // a reddish pixel becomes greenish
        var red = Grey(1, 1, (_, _) => 0) with { Pixels = [170, 110, 110] };
        var flipped = falseColour.Apply(red, "False", 0);
        Assert.True(flipped.Pixels[1] > flipped.Pixels[0], $"got {string.Join(",", flipped.Pixels)}");
        Assert.Equal(Image.Pixels, falseColour.Apply(Image, "True", 0).Pixels);
    }

    [Fact]
    public void Phase_scrambling_at_zero_is_the_identity_and_keeps_the_mean()
    {
        var phase = new PhaseScrambling();
        Assert.Equal(GreyImage.Pixels, phase.Apply(GreyImage, "0", 9).Pixels);
        var scrambled = phase.Apply(GreyImage, "90", 9);
        Assert.True(MeanAbsDifference(scrambled, GreyImage) > 3);
        // the zero frequency is never shifted, so the mean survives (up to clipping)
        Assert.Equal(Mean(GreyImage), Mean(scrambled), 1.0);
        Assert.Throws<ArgumentException>(() => phase.Apply(Colourful(47, 40), "30", 0));

        // the reference's unpaired shifts damp each amplitude by |cos((s(k) − s'(−k))/2)| with independent s, s': at
        // ±180° white noise keeps about half its variance (the unshifted Nyquist row and column add ~3 %), where a
        // conjugate-paired scrambling would keep all of it
        var noise = new Random(6);
        var grey = GreyPlane.Luminance(Grey(64, 64, (_, _) => (byte)noise.Next(256)));
        double Var(GreyPlane g) { var m = g.Mean(); return g.Values.Average(v => (v - m) * (v - m)); }
        var ratio = Var(PhaseScrambling.Scramble(grey, 180, new Random(2))) / Var(grey);
        Assert.InRange(ratio, 0.45, 0.58);
        Assert.Equal(1.0, Var(PhaseScrambling.Scramble(grey, 0, new Random(2))) / Var(grey), 9);
    }

    [Fact]
    public void Power_equalisation_imposes_the_target_amplitude_spectrum()
    {
        const int n = 64;
        const double level = 0.05 * n;
        var flat = new double[n * n];
        Array.Fill(flat, level);
        flat[n / 2 * n + n / 2] = 0.5 * n * n;                // zero frequency: mean grey 0.5
        var equalised = new PowerEqualisation(new AmplitudeSpectrum(n, n, flat)).Apply(Colourful(n, n), "pow", 0);

        var spectrum = AmplitudeSpectrum.Of(equalised);
        var nonDc = spectrum.Values.Where((_, i) => i != n / 2 * n + n / 2).ToArray();
        var mean = nonDc.Average();
        var cv = Math.Sqrt(nonDc.Average(v => (v - mean) * (v - mean))) / mean;
        Assert.Equal(level, mean, 0.1 * level);
        Assert.True(cv < 0.1, $"amplitude spectrum should be flat; coefficient of variation {cv:F3}");
        Assert.Equal(0.5 * n * n, spectrum[n / 2, n / 2], 0.01 * n * n);

        // the natural image's own spectrum is far from flat
        var own = AmplitudeSpectrum.Of(Colourful(n, n)).Values.Where((_, i) => i != n / 2 * n + n / 2).ToArray();
        var ownMean = own.Average();
        Assert.True(Math.Sqrt(own.Average(v => (v - ownMean) * (v - ownMean))) / ownMean > 1);

        // the target must match the image size
        var e = Assert.Throws<ArgumentException>(() => new PowerEqualisation(new AmplitudeSpectrum(n, n, flat)).Apply(Image, "pow", 0));
        Assert.Contains("64x64", e.Message);
        Assert.Equal(GreyImage.Pixels, new PowerEqualisation(new AmplitudeSpectrum(n, n, flat)).Apply(Image, "0", 0).Pixels);
    }

    [Fact]
    public void Mean_amplitude_spectrum_averages_images_and_rejects_mixed_sizes()
    {
        var a = Colourful(32, 32, 1);
        var b = Colourful(32, 32, 2);
        var mean = AmplitudeSpectrum.MeanOf([a, b]);
        var (sa, sb) = (AmplitudeSpectrum.Of(a), AmplitudeSpectrum.Of(b));
        Assert.Equal((sa[3, 7] + sb[3, 7]) / 2, mean[3, 7], 1e-9);
        // zero frequency at the centre = sum of grey values
        Assert.Equal(GreyPlane.Luminance(a).Values.Sum(), sa[16, 16], 1e-6);
        Assert.Throws<ArgumentException>(() => AmplitudeSpectrum.MeanOf([a, Colourful(16, 32)]));
    }

    [Fact]
    public void Low_pass_blurs_more_with_larger_sigma_and_keeps_the_background_grey()
    {
        var lowPass = new LowPassDistortion();
        Assert.Equal(GreyImage.Pixels, lowPass.Apply(Image, "0", 0).Pixels);
        var variances = lowPass.Conditions.Select(c => Variance(lowPass.Apply(Image, c, 0))).ToArray();
        for (var i = 1; i < variances.Length; i++) Assert.True(variances[i] < variances[i - 1], $"variance at {lowPass.Conditions[i]}");
        // an image of the padding grey stays that grey at any blur
        var bg = (byte)Math.Round(LowPassDistortion.BackgroundGrey * 255);
        var flat = Grey(30, 20, (_, _) => bg);
        Assert.All(lowPass.Apply(flat, "10", 0).Pixels, p => Assert.InRange(p, bg - 1, bg + 1));
        // scipy's kernel: radius int(4σ + 0.5), normalised
        var k = GaussianFilter.Kernel1D(1.0);
        Assert.Equal(9, k.Length);
        Assert.Equal(1.0, k.Sum(), 1e-12);
        Assert.Equal(Math.Exp(-0.5) * k[4], k[5], 1e-12);
    }

    [Fact]
    public void High_pass_keeps_the_background_mean_and_removes_low_frequencies()
    {
        var grey = GreyPlane.Luminance(Image);
        foreach (var sigma in new[] { 3.0, 0.7, double.PositiveInfinity })
            Assert.Equal(LowPassDistortion.BackgroundGrey, HighPassDistortion.Filter(grey, sigma).Mean(), 1e-9);
        // "inf": the image with its mean moved to the background grey
        var inf = HighPassDistortion.Filter(grey, double.PositiveInfinity);
        Assert.Equal(grey.Values[17] - grey.Mean() + LowPassDistortion.BackgroundGrey, inf.Values[17], 1e-12);
        // a smooth ramp has almost no high frequencies: the high-passed interior is nearly flat
        var ramp = Grey(40, 40, (x, _) => (byte)(60 + 3 * x));
        var filtered = new HighPassDistortion().Apply(ramp, "1.0", 0);
        var interior = Enumerable.Range(8, 24).SelectMany(y => Enumerable.Range(8, 24).Select(x => filtered[y, x, 0])).ToArray();
        Assert.InRange(interior.Max() - interior.Min(), 0, 2);
        Assert.True(Variance(new HighPassDistortion().Apply(Image, "0.4", 0)) < Variance(new HighPassDistortion().Apply(Image, "3.0", 0)));
    }

    [Fact]
    public void Eidolon_disarray_grows_with_reach_and_reach_zero_returns_the_picture()
    {
        var smooth = Grey(64, 64, (x, y) => (byte)(90 + x + y / 2));
        var distances = new[] { "1-10-10", "4-10-10", "16-10-10" }
            .Select(c => MeanAbsDifference(SmallEidolonI.Apply(Image, c, 3), GreyImage)).ToArray();
        Assert.True(distances[0] < distances[1] && distances[1] < distances[2], string.Join(", ", distances));
        // coherence 0 drops the fine-grained incoherent fields, so the same reach disarrays less
        var incoherentDistance = MeanAbsDifference(SmallEidolonIII.Apply(Image, "16-0-10", 3), GreyImage);
        Assert.True(incoherentDistance < distances[2], $"{incoherentDistance} vs {distances[2]}");

        // no displacement: the difference-of-Gaussian slices sum back to the picture (blurred only at σ = 1/√2)
        using var picture = TorchSharp.torch.tensor(smooth.Pixels.Where((_, i) => i % 3 == 0).Select(p => (float)p).ToArray(), [64, 64]);
        using var generator = new TorchSharp.torch.Generator(1);
        using var same = EidolonFactory.PartiallyCoherentDisarray(picture, reach: 0, coherence: 1, grain: 10, generator, pictureSize: 64);
        Assert.InRange((same - picture).abs().max().item<float>(), 0f, 1.5f);

        var levels = EidolonFactory.ScaleLevels(EidolonFactory.DefaultPictureSize);
        Assert.Equal(12, levels.Length);
        Assert.Equal(32.0, levels[^1], 1e-9);
        Assert.Equal((256, 192), EidolonDistortion.WorkingSize(400, 300));
        Assert.Equal((192, 256), EidolonDistortion.WorkingSize(300, 400));
        Assert.Equal(["1-3-10", "2-3-10", "4-3-10", "8-3-10", "16-3-10", "32-3-10", "64-3-10", "128-3-10"], EidolonDistortion.EidolonII.Conditions);
    }
}
