using Repro.Config;
using Repro.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Tests.Data;

[Trait("Category", TestCategories.Unit)]
public class ImageTransformsTests
{
    static RgbImage Uniform(int width, int height, byte r, byte g, byte b)
    {
        var px = new byte[width * height * 3];
        for (var i = 0; i < px.Length; i += 3) (px[i], px[i + 1], px[i + 2]) = (r, g, b);
        return new RgbImage(width, height, px);
    }

    static RgbImage Pattern(int width, int height, int seed)
    {
        var px = new byte[width * height * 3];
        new Random(seed).NextBytes(px);
        return new RgbImage(width, height, px);
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().ToBoolean();

    [Fact]
    public void Eval_gives_224_square_normalised_with_ImageNet_statistics()
    {
        using var scope = NewDisposeScope();
        var x = ImageTransforms.Eval(Uniform(500, 333, 200, 100, 30), resizeSize: 256, cropSize: 224);
        Assert.Equal([3L, 224, 224], x.shape);
        Assert.Equal(ScalarType.Float32, x.dtype);
        byte[] v = [200, 100, 30];
        for (var c = 0; c < 3; c++)
        {
            var expected = (v[c] / 255f - ImageTransforms.ImageNetMean[c]) / ImageTransforms.ImageNetStd[c];
            Assert.Equal(expected, x[c].min().ToSingle(), 4);
            Assert.Equal(expected, x[c].max().ToSingle(), 4);
        }
    }

    [Theory]
    [InlineData(500, 333, 256, 384)]   // landscape: height becomes 256, width int(256 * 500 / 333)
    [InlineData(333, 500, 384, 256)]   // portrait
    [InlineData(256, 256, 256, 256)]
    public void Resize_shorter_side_matches_torchvision_output_size(int width, int height, int expectedHeight, int expectedWidth)
    {
        using var scope = NewDisposeScope();
        var x = ImageTransforms.ResizeShorterSide(ImageTransforms.ToTensor(Pattern(width, height, 1)), 256);
        Assert.Equal([3L, expectedHeight, expectedWidth], x.shape);
    }

    /// <summary>torchvision 0.14 F.resize(x, 4, antialias=True) of the 3x6x9 input built below (torchvision's own output).</summary>
    static readonly float[] TorchvisionResized =
    [
        0.094301f, 0.243519f, 0.397168f, 0.562636f, 0.590795f, 0.489032f, 0.320534f, 0.542242f, 0.696538f, 0.571920f, 0.515517f, 0.456808f,
        0.553486f, 0.589930f, 0.375647f, 0.558654f, 0.592254f, 0.527996f, 0.544424f, 0.307680f, 0.600654f, 0.591177f, 0.507680f, 0.480086f,
        0.290380f, 0.439597f, 0.593246f, 0.507734f, 0.535893f, 0.685110f, 0.516612f, 0.614379f, 0.384459f, 0.358993f, 0.451319f, 0.611057f,
        0.624074f, 0.352215f, 0.410603f, 0.531639f, 0.565238f, 0.514924f, 0.599326f, 0.378268f, 0.587582f, 0.368954f, 0.452778f, 0.440870f,
        0.486458f, 0.635675f, 0.663834f, 0.578322f, 0.522821f, 0.253738f, 0.670861f, 0.463423f, 0.407020f, 0.431130f, 0.585427f, 0.458551f,
        0.611002f, 0.300412f, 0.482740f, 0.554200f, 0.451464f, 0.432135f, 0.403248f, 0.504630f, 0.309586f, 0.439543f, 0.648856f, 0.401654f,
    ];

    [Fact]
    public void Resize_matches_torchvision_antialiased_bilinear()
    {
        using var scope = NewDisposeScope();
        var values = new float[3 * 6 * 9];
        for (var c = 0; c < 3; c++)
            for (var y = 0; y < 6; y++)
                for (var x = 0; x < 9; x++)
                    values[(c * 6 + y) * 9 + x] = (c * 50 + y * 37 + x * 23 + x * y * 11) % 256 / 255f;
        var resized = ImageTransforms.ResizeShorterSide(tensor(values).view(3, 6, 9), 4);
        Assert.Equal([3L, 4, 6], resized.shape);
        var got = resized.contiguous().data<float>().ToArray();
        for (var i = 0; i < got.Length; i++) Assert.Equal(TorchvisionResized[i], got[i], tolerance: 2e-6);
    }

    [Fact]
    public void Center_crop_rounds_offsets_like_torchvision()
    {
        using var scope = NewDisposeScope();
        // 3 x 255 x 300: top = round(15.5) = 16 (round half to even, as Python), left = round(38.0) = 38.
        var source = arange(3 * 255 * 300, dtype: ScalarType.Float32).view(3, 255, 300);
        var crop = ImageTransforms.CenterCrop(source, 224);
        Assert.Equal([3L, 224, 224], crop.shape);
        Assert.Equal(source[0, 16, 38].ToSingle(), crop[0, 0, 0].ToSingle());
        Assert.Equal(source[2, 16 + 223, 38 + 223].ToSingle(), crop[2, 223, 223].ToSingle());
    }

    [Fact]
    public void Train_transform_is_deterministic_under_a_seed()
    {
        using var scope = NewDisposeScope();
        var image = Pattern(320, 240, 2);
        Tensor Run(int seed) => ImageTransforms.Train(image, 224, TrainAugmentation.RandomResizedCrop, 0.08, new Random(seed));
        var a = Run(11);
        Assert.Equal([3L, 224, 224], a.shape);
        Assert.True(Same(a, Run(11)));
        Assert.Contains(new[] { 12, 13, 14, 15 }, s => !Same(a, Run(s)));
    }

    [Fact]
    public void Random_resized_crop_stays_inside_the_image_and_respects_scale_and_ratio()
    {
        var rng = new Random(5);
        for (var i = 0; i < 500; i++)
        {
            var box = ImageTransforms.RandomResizedCropBox(375, 500, rng);
            Assert.InRange(box.Top, 0, 375 - box.Height);
            Assert.InRange(box.Left, 0, 500 - box.Width);
            var share = box.Height * (double)box.Width / (375 * 500);
            Assert.InRange(share, 0.07, 1.0);
            Assert.InRange(box.Width / (double)box.Height, 0.7, 1.4);
        }
    }

    [Fact]
    public void Random_resized_crop_falls_back_to_torchvision_centre_crop()
    {
        // A 10 x 1000 strip never admits a crop of ratio <= 4/3 with >= 8 % of its area in 10 tries:
        // torchvision then takes h = 10, w = round(10 * 4/3) = 13, centred: left = (1000 - 13) // 2.
        var box = ImageTransforms.RandomResizedCropBox(10, 1000, new Random(1));
        Assert.Equal(new CropBox(0, 493, 10, 13), box);
    }

    [Fact]
    public void Batch_loader_yields_the_same_batches_with_and_without_background_decoding()
    {
        using var dir = new TempDir();
        var samples = Enumerable.Range(0, 10).Select(i =>
        {
            var path = dir[$"img{i}.jpg"];
            DataFixtures.WriteImage(path, 60 + i * 7, 50 + i * 3);
            return (path, i % 3);
        }).ToList();
        Tensor Transform(RgbImage img, Random rng) => ImageTransforms.Train(img, 32, TrainAugmentation.RandomResizedCrop, 0.08, rng);
        List<(Tensor Images, Tensor Labels)> Collect(int prefetch, int decodeThreads)
        {
            var result = new List<(Tensor, Tensor)>();
            foreach (var batch in new BatchLoader(samples, Transform, batchSize: 4, prefetch, decodeThreads).Batches(shuffleSeed: 3))
                result.Add((batch.Images, batch.Labels));
            return result;
        }
        using var scope = NewDisposeScope();
        var inline = Collect(prefetch: 0, decodeThreads: 1);
        foreach (var other in new[] { Collect(prefetch: 2, decodeThreads: 1), Collect(prefetch: 2, decodeThreads: 3) })
        {
            Assert.Equal(3, other.Count);
            for (var b = 0; b < other.Count; b++)
            {
                Assert.True(Same(other[b].Images, inline[b].Images));
                Assert.True(Same(other[b].Labels, inline[b].Labels));
            }
        }
    }

    [Fact]
    public void Transforms_on_an_explicit_CPU_device_equal_the_default_path()
    {
        var image = Uniform(90, 70, 10, 200, 40);
        using var scope = NewDisposeScope();
        Assert.True(Same(ImageTransforms.Eval(image, 64, 56), ImageTransforms.Eval(image, 64, 56, CPU)));
        var a = ImageTransforms.Train(image, 48, TrainAugmentation.RandomResizedCrop, 0.3, new Random(5));
        var b = ImageTransforms.Train(image, 48, TrainAugmentation.RandomResizedCrop, 0.3, new Random(5), CPU);
        Assert.True(Same(a, b));
    }
}
