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
        // Cat (64) against aeroplane (128) and background: 64/128 is exactly 0.5, which is not above the threshold.
        Assert.Equal([false, false, true], VocGroundTruth.Binarize([0, 8, 1], 1, 3, Fidelity.Paper).IsObject);
        // A constant red channel (here all void) has no object pixel.
        Assert.Equal(0, VocGroundTruth.Binarize([255, 255, 255, 255], 2, 2, Fidelity.Paper).ObjectPixels);
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
