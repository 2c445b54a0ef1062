using Repro.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>
/// The per-batch parts of torchvision's classification recipe: soft-target cross-entropy with label smoothing,
/// mixup and cutmix (references/classification/transforms.py RandomMixup, RandomCutmix, one of them per batch as
/// train.py's RandomChoice picks it), gradient-norm clipping (torch.nn.utils.clip_grad_norm_) and random erasing
/// (torchvision.transforms.RandomErasing with its defaults). Random draws come from a seeded <see cref="Random"/>, so
/// a run is reproducible; they are not torch's draws.
/// </summary>
public static class Regularisation
{
    /// <summary>torch's cross_entropy with class-probability targets and label smoothing: −Σ t′ log softmax(x), averaged over the batch, t′ = (1 − ε) t + ε / C.</summary>
    public static Tensor SoftCrossEntropy(Tensor logits, Tensor targets, double labelSmoothing)
    {
        var classes = logits.shape[1];
        var smoothed = labelSmoothing == 0 ? targets
            : targets.mul(Scalars.Of(1 - labelSmoothing)).add(Scalars.Of(labelSmoothing / classes), Scalars.One);
        return nn.functional.log_softmax(logits, 1).mul(smoothed).sum(1).mean().neg();
    }

    /// <summary>Class indices as one-hot rows of <paramref name="dtype"/>.</summary>
    public static Tensor OneHot(Tensor labels, long classes, ScalarType dtype) =>
        nn.functional.one_hot(labels, classes).to(dtype);

    /// <summary>RandomMixup's images for λ given: each image becomes λ of itself plus 1 − λ of the previous one in the batch (roll by 1).</summary>
    public static Tensor MixupImages(Tensor images, double lambda) => Blend(images, lambda);

    /// <summary>The targets of a batch mixed with weight λ (mixup's λ, or cutmix's area share): λ·onehot(y) + (1 − λ)·onehot(y rolled by 1).</summary>
    public static Tensor MixedTargets(Tensor labels, long classes, double lambda, ScalarType dtype)
    {
        using var oneHot = OneHot(labels, classes, dtype);
        return Blend(oneHot, lambda);
    }

    /// <summary>λ·t + (1 − λ)·(t rolled by one along the batch), in torchvision's order of operations.</summary>
    static Tensor Blend(Tensor t, double lambda)
    {
        using var keep = lambda.ToScalar();
        using var other = (1.0 - lambda).ToScalar();
        using var rolled = t.roll(1, 0);
        return t.mul(keep).add_(rolled.mul_(other), Scalars.One);
    }

    /// <summary>The box RandomCutmix pastes for λ and a centre (x, y): half-sides ⌊½√(1−λ)·W⌋ and ⌊½√(1−λ)·H⌋, clipped to the image.</summary>
    public static (int X1, int Y1, int X2, int Y2) CutmixBox(double lambda, int centreX, int centreY, int width, int height)
    {
        var r = 0.5 * Math.Sqrt(1.0 - lambda);
        var halfWidth = (int)(r * width);
        var halfHeight = (int)(r * height);
        return (Math.Max(centreX - halfWidth, 0), Math.Max(centreY - halfHeight, 0),
            Math.Min(centreX + halfWidth, width), Math.Min(centreY + halfHeight, height));
    }

    /// <summary>RandomCutmix's images for λ and the box centre given: the previous image's box pasted in; and the targets' weight, the exact share of the image kept.</summary>
    public static (Tensor Images, double Lambda) CutmixImages(Tensor images, double lambda, int centreX, int centreY)
    {
        var height = (int)images.shape[^2];
        var width = (int)images.shape[^1];
        var (x1, y1, x2, y2) = CutmixBox(lambda, centreX, centreY, width, height);
        var mixed = images.clone();
        if (x2 > x1 && y2 > y1)
        {
            using var rolled = images.roll(1, 0);
            using var source = rolled[.., .., y1..y2, x1..x2];
            using var region = mixed[.., .., y1..y2, x1..x2];
            region.copy_(source);
        }
        return (mixed, 1.0 - (x2 - x1) * (double)(y2 - y1) / (width * (double)height));
    }

    /// <summary>
    /// One of mixup and cutmix (whichever have α &gt; 0, chosen with equal probability) applied to the batch, as train.py's
    /// collate does: the mixed images and the weight λ of <see cref="MixedTargets"/>. Null when both are off.
    /// </summary>
    public static (Tensor Images, double Lambda)? MixupOrCutmix(Tensor images, double mixupAlpha, double cutmixAlpha, Random rng)
    {
        var useMixup = mixupAlpha > 0 && (cutmixAlpha <= 0 || rng.NextDouble() < 0.5);
        if (useMixup)
        {
            var lambda = SampleBeta(rng, mixupAlpha);
            return (MixupImages(images, lambda), lambda);
        }
        if (cutmixAlpha <= 0) return null;
        var cutLambda = SampleBeta(rng, cutmixAlpha);
        var centreX = rng.Next((int)images.shape[^1]);
        var centreY = rng.Next((int)images.shape[^2]);
        return CutmixImages(images, cutLambda, centreX, centreY);
    }

    /// <summary>A draw from Beta(α, α): the first coordinate of Dirichlet(α, α), as torchvision draws λ.</summary>
    public static double SampleBeta(Random rng, double alpha)
    {
        var a = SampleGamma(rng, alpha);
        var b = SampleGamma(rng, alpha);
        return a / (a + b);
    }

    /// <summary>Gamma(α, 1) by Marsaglia and Tsang's method (α &lt; 1 through Gamma(α + 1)·U^(1/α)).</summary>
    static double SampleGamma(Random rng, double alpha)
    {
        if (alpha < 1) return SampleGamma(rng, alpha + 1) * Math.Pow(1.0 - rng.NextDouble(), 1.0 / alpha);
        var d = alpha - 1.0 / 3;
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(rng);
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            var u = 1.0 - rng.NextDouble();
            if (Math.Log(u) < 0.5 * x * x + d - d * v + d * Math.Log(v)) return d * v;
        }
    }

    static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1.0 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>
    /// torch.nn.utils.clip_grad_norm_ (2-norm): every gradient scaled by min(1, max_norm / (‖g‖ + 1e-6)), ‖g‖ the norm of
    /// all gradients together. Returns that total norm.
    /// </summary>
    public static Tensor ClipGradNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        var grads = parameters.Select(p => p.grad).OfType<Tensor>().ToList();
        using var _ = no_grad();
        using var norms = stack(grads.Select(g => g.norm()).ToArray());
        var total = norms.norm();
        using var shifted = total.add(Scalars.Of(1e-6), Scalars.One);
        using var coefficient = shifted.reciprocal().mul_(Scalars.Of(maxNorm)).clamp_max_(Scalars.Of(1.0));
        foreach (var g in grads) g.mul_(coefficient);
        return total;
    }

    /// <summary>
    /// RandomErasing(p, scale (0.02, 0.33), ratio (0.3, 3.3), value 0) on each image of the batch, in place: with probability
    /// <paramref name="p"/> a rectangle of random area and aspect ratio is zeroed (up to 10 tries to fit one; none fits: unchanged).
    /// </summary>
    public static void RandomErase(Tensor images, double p, Random rng)
    {
        var height = (int)images.shape[^2];
        var width = (int)images.shape[^1];
        var area = height * (double)width;
        double logLow = Math.Log(0.3), logHigh = Math.Log(3.3);
        using var _ = no_grad();
        for (var i = 0; i < images.shape[0]; i++)
        {
            if (rng.NextDouble() >= p) continue;
            for (var attempt = 0; attempt < 10; attempt++)
            {
                var eraseArea = area * (0.02 + (0.33 - 0.02) * rng.NextDouble());
                var aspect = Math.Exp(logLow + (logHigh - logLow) * rng.NextDouble());
                var h = (int)Math.Round(Math.Sqrt(eraseArea * aspect), MidpointRounding.ToEven);
                var w = (int)Math.Round(Math.Sqrt(eraseArea / aspect), MidpointRounding.ToEven);
                if (!(h < height && w < width)) continue;
                var top = rng.Next(height - h + 1);
                var left = rng.Next(width - w + 1);
                using var region = images[i, .., top..(top + h), left..(left + w)];
                region.zero_();
                break;
            }
        }
    }
}
