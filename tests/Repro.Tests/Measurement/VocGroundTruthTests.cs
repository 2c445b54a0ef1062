using Repro.Config;
using Repro.Measurement.Localization;

namespace Repro.Tests.Measurement;

[Trait("Category", TestCategories.Unit)]
public class VocGroundTruthTests
{
    /// <summary>The VOC devkit's colormap: bits 0, 1, 2 of the label go to the top bits of R, G, B, three at a time.</summary>
    static (int R, int G, int B) DevkitColour(int label)
    {
        int r = 0, g = 0, b = 0;
        for (var shift = 7; shift >= 0; shift--, label >>= 3)
        {
            r |= (label & 1) << shift;
            g |= ((label >> 1) & 1) << shift;
            b |= ((label >> 2) & 1) << shift;
        }
        return (r, g, b);
    }

    [Fact]
    public void The_palette_data_is_the_devkit_colormap()
    {
        Assert.Equal(22, VocPalette.Classes.Count);
        foreach (var c in VocPalette.Classes)
            Assert.Equal(DevkitColour(c.Label), (c.Red, c.Green, c.Blue));
        Assert.Equal((224, 224, 192), DevkitColour(255));
        Assert.Null(VocPalette.Find(21));
    }

    [Fact]
    public void Paper_mode_marks_the_classes_with_a_red_palette_value_of_128_or_more_and_void()
    {
        // One pixel per label, background and void included (as in real masks).
        var labels = VocPalette.Classes.Select(c => c.Label).ToArray();
        var mask = VocGroundTruth.Binarize(labels, 1, labels.Length, Fidelity.Paper);
        var objects = labels.Where((_, i) => mask.IsObject[i]).Select(l => VocPalette.Find(l)!.Name);
        Assert.Equal(["aeroplane", "bird", "bottle", "car", "chair", "diningtable", "horse", "person", "sheep", "train", "void"], objects);
    }

    [Fact]
    public void Corrected_mode_marks_every_class_but_background_and_void()
    {
        var labels = VocPalette.Classes.Select(c => c.Label).ToArray();
        var mask = VocGroundTruth.Binarize(labels, 1, labels.Length, Fidelity.Corrected);
        Assert.Equal(Enumerable.Range(1, 20).Select(l => (byte)l), labels.Where((_, i) => mask.IsObject[i]));
    }

    [Fact]
    public void Paper_mode_scales_the_red_channel_over_the_image()
    {
        // Without void and bright classes the scaling stretches a cat (R 64) to 1: it counts as object.
        Assert.Equal([false, true, true], VocGroundTruth.Binarize([0, 8, 8], 1, 3, Fidelity.Paper).IsObject);
        // A constant red channel (here all void) has no object pixel.
        Assert.Equal(0, VocGroundTruth.Binarize([255, 255, 255, 255], 2, 2, Fidelity.Paper).ObjectPixels);
    }

    /// <summary>
    /// Red triples whose middle value lies exactly halfway (labels: background R 0, cat R 64, aeroplane R 128,
    /// chair R 192): the authors' float32 ToTensor, Normalize and min-max scaling put the middle at 0.49999994
    /// or 0.50000006 (torchvision 0.14 and numpy 1.24, measured), and the threshold is >= 0.5.
    /// </summary>
    [Theory]
    [InlineData(new byte[] { 0, 8, 1 }, new[] { false, false, true })]   // 64 of 0..128: 0.49999994, background
    [InlineData(new byte[] { 8, 1, 9 }, new[] { false, true, true })]    // 128 of 64..192: 0.50000006, object
    [InlineData(new byte[] { 1, 9, 0 }, new[] { true, true, false })]    // 128 of 0..192: 0.6666667
    [InlineData(new byte[] { 8, 1, 255 }, new[] { false, false, true })] // 128 of 64..224: 0.40000004
    public void Paper_mode_decides_the_halfway_cases_by_float32_rounding_with_at_least_one_half(byte[] labels, bool[] isObject) =>
        Assert.Equal(isObject, VocGroundTruth.Binarize(labels, 1, labels.Length, Fidelity.Paper).IsObject);

    [Fact]
    public void Paper_threshold_is_at_least_one_half_in_float32()
    {
        Assert.True(VocGroundTruth.IsPaperObject(0.5f));
        Assert.False(VocGroundTruth.IsPaperObject(MathF.BitDecrement(0.5f)));
        Assert.True(VocGroundTruth.IsPaperObject(MathF.BitIncrement(0.5f)));
        // a constant red channel scales to 0/0
        Assert.False(VocGroundTruth.IsPaperObject(float.NaN));
    }

    [NumpyFact]
    public void Paper_mode_matches_the_authors_float32_arithmetic_in_numpy_on_every_palette_triple()
    {
        // Every choice of three distinct red values the palette has, each triple as one 1x3 mask.
        var byRed = VocPalette.Classes.GroupBy(c => c.Red).Select(g => g.First()).OrderBy(c => c.Red).ToList();
        var triples = (from a in byRed
                       from b in byRed
                       from c in byRed
                       where a.Red < b.Red && b.Red < c.Red
                       select new[] { a, b, c }).ToList();
        var numpy = NumpyReference.Lines(
            "import sys, numpy as np\n" +
            "for line in sys.stdin:\n" +
            "    r = np.array([int(t) for t in line.split()], dtype=np.uint8).astype(np.float32) / np.float32(255)\n" +
            "    g = (r - np.float32(0.485)) / np.float32(0.229)\n" +
            "    n = (g - np.min(g)) / (np.max(g) - np.min(g))\n" +
            "    print(' '.join('1' if v >= .5 else '0' for v in n))\n",
            triples.Select(t => string.Join(' ', t.Select(c => c.Red))));
        for (var i = 0; i < triples.Count; i++)
        {
            var mask = VocGroundTruth.Binarize(triples[i].Select(c => c.Label).ToArray(), 1, 3, Fidelity.Paper);
            Assert.True(numpy[i] == string.Join(' ', mask.IsObject.Select(o => o ? 1 : 0)),
                $"reds {string.Join(", ", triples[i].Select(c => c.Red))}: numpy {numpy[i]}");
        }
    }

    [Fact]
    public void An_all_void_mask_is_skipped_by_the_metrics_in_either_mode()
    {
        var heatmap = new Heatmap(2, 2, [1, 2, 3, 4]);
        foreach (var mode in new[] { Fidelity.Paper, Fidelity.Corrected })
        {
            var mask = VocGroundTruth.Binarize([255, 255, 255, 255], 2, 2, mode);
            var summary = new RelevanceRankAccuracy().Evaluate([heatmap], [mask]);
            Assert.Equal(1, summary.Skipped);
        }
    }

    [Fact]
    public void Bad_labels_sizes_and_modes_are_refused()
    {
        var label = Assert.Throws<ArgumentException>(() => VocGroundTruth.Binarize([0, 0, 0, 37], 2, 2, Fidelity.Corrected));
        Assert.Contains("label 37 at row 1, column 1", label.Message);
        Assert.Throws<ArgumentException>(() => VocGroundTruth.Binarize([0, 0, 0], 2, 2, Fidelity.Corrected));
        Assert.Throws<ArgumentException>(() => VocGroundTruth.Binarize([0, 0, 0, 0], 2, 2, Fidelity.Both));
    }
}
