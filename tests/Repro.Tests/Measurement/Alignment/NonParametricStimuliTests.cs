using Repro.Data;
using Repro.Data.Synthetic;

namespace Repro.Tests.Measurement.Alignment;

[Trait("Category", TestCategories.Unit)]
public class NonParametricStimuliTests
{
    const int Size = 64;

    [Fact]
    public void Every_set_is_deterministic_and_labelled_per_class()
    {
        foreach (var dataset in NonParametricStimuli.Datasets)
        {
            var set = NonParametricStimuli.Generate(dataset, classes: 4, perClass: 3, Size, seed: 8);
            Assert.Equal(12, set.Count);
            Assert.Equal([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3], set.Select(s => s.ShapeClass));
            Assert.All(set, s => Assert.Equal((Size, Size, dataset), (s.Image.Width, s.Image.Height, s.Dataset)));
            var again = NonParametricStimuli.Generate(dataset, classes: 4, perClass: 3, Size, seed: 8);
            Assert.Equal(set.Select(s => s.Image.Pixels), again.Select(s => s.Image.Pixels));
            var otherSeed = NonParametricStimuli.Render(dataset, 0, 0, classes: 4, Size, seed: 9);
            Assert.NotEqual(set[0].Image.Pixels, otherSeed.Image.Pixels);
            // images of one class differ from each other
            Assert.NotEqual(set[0].Image.Pixels, set[1].Image.Pixels);
        }
        Assert.Throws<ArgumentException>(() => NonParametricStimuli.Generate("photos", 4, 1, Size, 0));
        Assert.Throws<ArgumentException>(() => NonParametricStimuli.Generate("sketch", 1, 1, Size, 0));
    }

    [Fact]
    public void Silhouettes_are_black_on_white_only()
    {
        foreach (var s in NonParametricStimuli.Generate("silhouette", classes: 10, perClass: 2, Size, seed: 1))
        {
            Assert.All(s.Image.Pixels, p => Assert.True(p is 0 or 255));
            var black = s.Image.Pixels.Count(p => p == 0) / 3.0 / (Size * Size);
            Assert.InRange(black, 0.03, 0.6);
            Assert.Equal(255, s.Image[0, 0, 0]);
            Assert.Null(s.TextureClass);
        }
    }

    [Fact]
    public void Cue_conflict_images_pair_each_shape_with_another_class_texture()
    {
        var set = NonParametricStimuli.Generate("cue-conflict", classes: 5, perClass: 8, Size, seed: 2);
        Assert.All(set, s =>
        {
            Assert.NotNull(s.TextureClass);
            Assert.NotEqual(s.ShapeClass, s.TextureClass);
            Assert.InRange(s.TextureClass!.Value, 0, 4);
            Assert.Equal(ShapeClasses.Names[s.TextureClass.Value], s.TextureName);
        });
        // every other class's texture appears with each shape
        foreach (var shape in set.GroupBy(s => s.ShapeClass))
            Assert.Equal(4, shape.Select(s => s.TextureClass).Distinct().Count());
        // drawn as the training images are: the texture class's own colour on the object, a desaturated background
        Assert.All(set, s =>
        {
            var (main, second, _) = ShapeClasses.ClassTexture(s.TextureClass!.Value);
            static bool Near(byte[] px, SkiaSharp.SKColor c) => Math.Abs(px[0] - c.Red) + Math.Abs(px[1] - c.Green) + Math.Abs(px[2] - c.Blue) < 30;
            var wearing = s.Image.Pixels.Chunk(3).Count(px => Near(px, main) || Near(px, second));
            Assert.True(wearing >= s.Image.Width * s.Image.Height / 200, $"{s.ShapeName}/{s.TextureName}: {wearing} pixels of the texture's colours");
        });
    }

    [Fact]
    public void Edges_sketches_and_stylized_images_are_well_formed()
    {
        foreach (var s in NonParametricStimuli.Generate("edge", classes: 3, perClass: 2, Size, seed: 3))
        {
            Assert.All(s.Image.Pixels, p => Assert.True(p is 0 or 255));
            var black = s.Image.Pixels.Count(p => p == 0) / 3.0 / (Size * Size);
            Assert.InRange(black, 0.01, 0.5);
        }
        foreach (var s in NonParametricStimuli.Generate("sketch", classes: 3, perClass: 2, Size, seed: 3))
        {
            var dark = s.Image.Pixels.Count(p => p < 128) / 3.0 / (Size * Size);
            var white = s.Image.Pixels.Count(p => p == 255) / 3.0 / (Size * Size);
            Assert.InRange(dark, 0.01, 0.3);
            Assert.True(white > 0.5, $"sketch should be mostly paper, white share {white:P0}");
        }
        foreach (var s in NonParametricStimuli.Generate("stylized", classes: 10, perClass: 3, Size, seed: 1))
        {
            var white = s.Image.Pixels.Count(p => p == 255) / 3.0 / (Size * Size);
            Assert.True(white < 0.5, "stylized images are textured everywhere");
            // object and background textures differ, so at least two colours each cover a visible area
            var colours = s.Image.Pixels.Chunk(3).GroupBy(px => (px[0], px[1], px[2])).Count(g => g.Count() > 0.02 * Size * Size);
            Assert.True(colours >= 2, $"{s.ShapeName} #{s.Index}: the shape is invisible ({colours} colour)");
        }
    }

    [Fact]
    public void Sobel_edges_trace_a_step()
    {
        var step = TestImages.Grey(16, 8, (x, _) => x < 8 ? (byte)30 : (byte)220);
        var edges = SobelEdges.Draw(step, 0.25);
        for (var y = 0; y < 8; y++)
            for (var x = 0; x < 16; x++)
                Assert.Equal(x is 7 or 8 ? 0 : 255, edges[y, x, 0]);
        Assert.All(SobelEdges.Draw(TestImages.Grey(8, 8, (_, _) => 90), 0.25).Pixels, p => Assert.Equal(255, p));
    }

    [Fact]
    public void Saved_stimuli_decode_to_the_same_pixels()
    {
        using var dir = new TempDir();
        var s = NonParametricStimuli.Render("cue-conflict", 2, 0, classes: 10, Size, seed: 4);
        var path = dir.Combine($"{s.ShapeName}-{s.TextureName}.png");
        NonParametricStimuli.Save(s.Image, path);
        Assert.Equal(s.Image.Pixels, ImageCodec.Decode(path).Pixels);
    }
}
