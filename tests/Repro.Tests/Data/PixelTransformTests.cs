using Repro.Config;
using Repro.Data;
using static TorchSharp.torch;

namespace Repro.Tests.Data;

/// <summary>The managed CPU transforms against the libtorch reference (<see cref="ImageTransforms"/>).</summary>
[Trait("Category", TestCategories.Unit)]
public class PixelTransformTests
{
    const double Tolerance = 1e-4;

    static RgbImage Noise(int width, int height, int seed)
    {
        var px = new byte[width * height * 3];
        new Random(seed).NextBytes(px);
        return new RgbImage(width, height, px);
    }

    static float[] Managed(PixelTransform transform, RgbImage image, Random rng)
    {
        var chw = new float[transform.FloatsPerImage];
        transform.Apply(image, transform.Plan(image.Height, image.Width, rng), chw);
        return chw;
    }

    static void AssertClose(Tensor expected, float[] got, string what)
    {
        var want = expected.contiguous().data<float>().ToArray();
        Assert.Equal(want.Length, got.Length);
        var worst = want.Zip(got, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= Tolerance, $"{what}: max |difference| {worst:E2}");
    }

    [Theory]
    [InlineData(97, 61, 48, TrainAugmentation.RandomResizedCrop)]
    [InlineData(61, 97, 33, TrainAugmentation.RandomResizedCrop)]   // odd output side
    [InlineData(40, 30, 64, TrainAugmentation.RandomResizedCrop)]   // every crop is upsampled
    [InlineData(333, 251, 224, TrainAugmentation.RandomResizedCrop)]
    [InlineData(75, 50, 41, TrainAugmentation.FlipOnly)]
    [InlineData(50, 75, 41, TrainAugmentation.None)]
    public void Train_matches_the_libtorch_transform_draw_for_draw(int width, int height, int size, TrainAugmentation augmentation)
    {
        var image = Noise(width, height, width * 31 + height);
        var transform = PixelTransform.Train(size, augmentation, 0.08);
        using var scope = NewDisposeScope();
        for (var seed = 0; seed < 8; seed++)
        {
            var reference = ImageTransforms.Train(image, size, augmentation, 0.08, new Random(seed));
            AssertClose(reference, Managed(transform, image, new Random(seed)), $"seed {seed}");
        }
    }

    [Fact]
    public void Train_matches_on_the_centre_crop_fallback()
    {
        // A 1000 x 10 strip falls back to a centred 13 x 10 crop, upsampled to 32.
        var image = Noise(1000, 10, 3);
        var transform = PixelTransform.Train(32, TrainAugmentation.RandomResizedCrop, 0.08);
        Assert.Equal(new CropBox(0, 493, 10, 13), transform.Plan(10, 1000, new Random(1)).Source);
        using var scope = NewDisposeScope();
        for (var seed = 1; seed < 5; seed++)
            AssertClose(ImageTransforms.Train(image, 32, TrainAugmentation.RandomResizedCrop, 0.08, new Random(seed)),
                Managed(transform, image, new Random(seed)), $"seed {seed}");
    }

    [Theory]
    [InlineData(500, 333, 256, 224)]
    [InlineData(333, 500, 256, 224)]
    [InlineData(101, 77, 45, 39)]    // odd sizes, offsets rounded half to even
    [InlineData(64, 64, 64, 56)]     // no resize, crop only
    [InlineData(50, 37, 64, 56)]     // upsampled
    [InlineData(255, 300, 255, 224)] // portrait, no resize
    public void Eval_matches_the_libtorch_transform(int width, int height, int resizeSize, int cropSize)
    {
        var image = Noise(width, height, width + height);
        using var scope = NewDisposeScope();
        AssertClose(ImageTransforms.Eval(image, resizeSize, cropSize),
            Managed(PixelTransform.Eval(resizeSize, cropSize), image, new Random(0)), $"{width}x{height}");
    }

    [Fact]
    public void Eval_rejects_an_image_smaller_than_the_crop_after_resizing()
    {
        var e = Assert.Throws<ArgumentException>(() => PixelTransform.Eval(20, 32).Plan(40, 30, new Random(0)));
        Assert.Contains("32px centre crop", e.Message);
    }

    [Fact]
    public void RGBA_to_RGB_keeps_every_pixel_whatever_the_length()
    {
        var rng = new Random(4);
        for (var pixels = 0; pixels < 40; pixels++)
        {
            var rgba = new byte[pixels * 4];
            rng.NextBytes(rgba);
            var rgb = new byte[pixels * 3];
            ImageCodec.RgbaToRgb(rgba, rgb);
            for (var i = 0; i < pixels; i++)
                Assert.Equal(rgba.AsSpan(4 * i, 3).ToArray(), rgb.AsSpan(3 * i, 3).ToArray());
        }
    }

    static List<(string Path, int Label)> JpegSamples(TempDir dir, int count) => Enumerable.Range(0, count).Select(i =>
    {
        var path = dir[$"img{i}.jpg"];
        DataFixtures.WriteImage(path, 60 + i * 7, 50 + i * 3);
        return (path, i % 3);
    }).ToList();

    static List<(float[] Images, long[] Labels)> Collect(BatchLoader loader, int? shuffleSeed)
    {
        var result = new List<(float[], long[])>();
        foreach (var batch in loader.Batches(shuffleSeed))
            using (batch) result.Add((batch.Images.data<float>().ToArray(), batch.Labels.data<long>().ToArray()));
        return result;
    }

    [Fact]
    public void Batches_are_identical_whatever_the_threads_and_prefetch_and_match_the_libtorch_path()
    {
        using var dir = new TempDir();
        var samples = JpegSamples(dir, 10);
        var managed = PixelTransform.Train(32, TrainAugmentation.RandomResizedCrop, 0.08);
        var inline = Collect(new BatchLoader(samples, managed, batchSize: 4, prefetch: 0, decodeThreads: 1), shuffleSeed: 3);
        Assert.Equal(3, inline.Count);
        foreach (var (prefetch, threads) in new[] { (2, 1), (2, 3), (1, 0) })
        {
            var other = Collect(new BatchLoader(samples, managed, batchSize: 4, prefetch, threads), shuffleSeed: 3);
            Assert.Equal(inline.Count, other.Count);
            for (var b = 0; b < other.Count; b++)
            {
                Assert.Equal(inline[b].Images, other[b].Images);
                Assert.Equal(inline[b].Labels, other[b].Labels);
            }
        }
        var reference = Collect(new BatchLoader(samples,
            (img, rng) => ImageTransforms.Train(img, 32, TrainAugmentation.RandomResizedCrop, 0.08, rng), batchSize: 4, prefetch: 0), shuffleSeed: 3);
        for (var b = 0; b < reference.Count; b++)
        {
            Assert.Equal(reference[b].Labels, inline[b].Labels);
            Assert.True(reference[b].Images.Zip(inline[b].Images, (x, y) => Math.Abs(x - y)).Max() <= Tolerance);
        }
    }

    [Fact]
    public void A_corrupt_image_surfaces_as_itself_from_the_transform_workers()
    {
        using var dir = new TempDir();
        var samples = JpegSamples(dir, 6);
        var corrupt = samples[4].Path;
        File.WriteAllBytes(corrupt, File.ReadAllBytes(corrupt)[..20]);
        var loader = new BatchLoader(samples, PixelTransform.Eval(40, 32), batchSize: 3, prefetch: 2, decodeThreads: 2);
        var e = Assert.Throws<CorruptImageException>(() => { foreach (var b in loader.Batches()) b.Dispose(); });
        Assert.Equal(corrupt, e.PathName);
    }
}
