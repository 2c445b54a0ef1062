using Repro.Config;

namespace Repro.Data;

/// <summary>
/// <see cref="ImageTransforms.Train"/> and <see cref="ImageTransforms.Eval"/> without libtorch: the random draws
/// (<see cref="Plan"/>, made in image order on one thread) are separate from the resampling (<see cref="Apply"/>,
/// any thread), so a batch's images can be transformed in parallel into one buffer with the same draws.
/// </summary>
public sealed class PixelTransform
{
    readonly Func<int, int, Random, ResamplePlan> _plan;

    PixelTransform(int size, Func<int, int, Random, ResamplePlan> plan) => (Size, _plan) = (size, plan);

    /// <summary>Output side: each image becomes [3, Size, Size].</summary>
    public int Size { get; }

    public int FloatsPerImage => 3 * Size * Size;

    /// <summary>The same draws from <paramref name="rng"/>, in the same order, as <see cref="ImageTransforms.Train"/>.</summary>
    public static PixelTransform Train(int size, TrainAugmentation augmentation, double scaleMin) => new(size, (h, w, rng) =>
    {
        var box = augmentation == TrainAugmentation.RandomResizedCrop
            ? ImageTransforms.RandomResizedCropBox(h, w, rng, scaleMin)
            : new CropBox(0, 0, h, w);
        var flip = augmentation != TrainAugmentation.None && rng.NextDouble() < 0.5;
        return new ResamplePlan(box, size, size, 0, 0, size, flip);
    });

    /// <summary>Resize(shorter side = <paramref name="resizeSize"/>) + CenterCrop(<paramref name="cropSize"/>); draws nothing.</summary>
    public static PixelTransform Eval(int resizeSize, int cropSize) => new(cropSize, (h, w, _) =>
    {
        var (nh, nw) = ImageTransforms.ShorterSideSize(h, w, resizeSize);
        if (nh < cropSize || nw < cropSize)
            throw new ArgumentException($"image {nw}x{nh} is smaller than the {cropSize}px centre crop");
        int top = (int)Math.Round((nh - cropSize) / 2.0), left = (int)Math.Round((nw - cropSize) / 2.0);
        return new ResamplePlan(new CropBox(0, 0, h, w), nh, nw, top, left, cropSize, false);
    });

    public ResamplePlan Plan(int height, int width, Random rng) => _plan(height, width, rng);

    public void Apply(RgbImage image, in ResamplePlan plan, Span<float> chw) => ImageResampler.Resample(image, plan, chw);

    internal void Apply(PooledRgba image, in ResamplePlan plan, Span<float> chw) =>
        ImageResampler.Resample(image.Pixels, image.Width, image.Height, 4, plan, chw);
}
