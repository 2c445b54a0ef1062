using Repro.Torch;
using static TorchSharp.torch;

namespace Repro.Measurement.Attribution;

/// <summary>
/// SmoothGrad (Smilkov et al., 2017) over any attribution: the mean of the wrapped method's attributions of
/// <see cref="Samples"/> noisy copies x + ε, ε ~ N(0, <see cref="NoiseStd"/>²) in normalised space (Captum's
/// NoiseTunnel "smoothgrad"; paper: 2 samples, std 1.0). Noise is drawn on the CPU from a generator seeded at
/// construction, so a sequence of calls is reproducible on any device (the authors' noise was unseeded: errata 8).
/// A class-specific wrapped method explains the clean image's top-1 class in every noisy copy.
/// </summary>
public sealed class SmoothGrad : IAttribution, IDisposable
{
    readonly IAttribution inner;
    readonly Generator generator;

    public int Samples { get; }
    public double NoiseStd { get; }

    public SmoothGrad(IAttribution inner, int samples = 2, double noiseStd = 1.0, long seed = 1)
    {
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "must be at least 1");
        if (!(noiseStd >= 0)) throw new ArgumentOutOfRangeException(nameof(noiseStd), noiseStd, "must be non-negative");
        this.inner = inner;
        Samples = samples;
        NoiseStd = noiseStd;
        generator = new Generator((ulong)seed, CPU);
    }

    public Tensor Attribute(Tensor input, Tensor? target = null)
    {
        ExplainedClass.RequireImageBatch(input);
        using var scope = NewDisposeScope();
        var classes = inner is IClassAttribution c ? ExplainedClass.Resolve(c.Model, input, target) : target;

        // All noisy copies go to the wrapped method as one batch, sample-major: copy s of image b is row s·B + b.
        var noise = randn(input.shape.Prepend(Samples).ToArray(), dtype: input.dtype, generator: generator)
            .mul_(Scalars.Of(NoiseStd)).to(input.device);
        var noisy = input.detach().unsqueeze(0).add(noise, Scalars.One).flatten(0, 1);
        var attributions = inner.Attribute(noisy, classes?.repeat(Samples));
        return attributions.view([Samples, -1, .. attributions.shape[1..]]).mean([0]).MoveToOuterDisposeScope();
    }

    public void Dispose() => generator.Dispose();
}
