using Repro.Data;
using Repro.Measurement.Discovery;

namespace Repro.Tests.Measurement.Discovery;

[Trait("Category", TestCategories.Unit)]
public class BoxTests
{
    [Fact]
    public void IoU_by_hand()
    {
        var a = new PixelBox(0, 0, 10, 10);
        Assert.Equal(1.0, PixelBox.IoU(a, a));
        Assert.Equal(0.0, PixelBox.IoU(a, new PixelBox(10, 0, 20, 10))); // touching edges share no area
        Assert.Equal(0.0, PixelBox.IoU(a, new PixelBox(30, 30, 40, 40)));
        // Half-shifted: intersection 50, union 150.
        Assert.Equal(1.0 / 3, PixelBox.IoU(a, new PixelBox(5, 0, 15, 10)), 12);
        // Contained quarter: 25 / 100.
        Assert.Equal(0.25, PixelBox.IoU(a, new PixelBox(0, 0, 5, 5)), 12);
        Assert.Equal(PixelBox.IoU(a, new PixelBox(2, 3, 7, 12)), PixelBox.IoU(new PixelBox(2, 3, 7, 12), a));
    }

    [Fact]
    public void IoU_of_empty_boxes_is_zero_not_nan()
    {
        var empty = new PixelBox(5, 5, 5, 5);
        Assert.Equal(0.0, PixelBox.IoU(empty, empty));
        Assert.Equal(0.0, PixelBox.IoU(empty, new PixelBox(0, 0, 10, 10)));
    }

    [Fact]
    public void Grid_box_scales_by_the_stride_and_clips_to_the_unpadded_image()
    {
        // 100x70 image, stride 32: padded to 128x96, a 3x4 grid. The bottom-right patch reaches past the image.
        Assert.Equal(new PixelBox(64, 32, 100, 70), new GridBox(1, 2, 3, 4).ToPixels(32, 100, 70));
        Assert.Equal(new PixelBox(0, 0, 64, 32), new GridBox(0, 0, 1, 2).ToPixels(32, 100, 70));
        // A component entirely in the padding collapses to an empty box at the image edge.
        Assert.Equal(0, new GridBox(2, 3, 3, 4).ToPixels(32, 90, 60).Area);
    }

    [Fact]
    public void Voc_boxes_shift_xmin_and_ymin_by_minus_one_by_default()
    {
        Assert.Equal(new PixelBox(0, 0, 500, 375), GroundTruthBoxes.FromVoc(1, 1, 500, 375));
        Assert.Equal(new PixelBox(47, 239, 195, 371), GroundTruthBoxes.FromVoc(48, 240, 195, 371));
        Assert.Equal(new PixelBox(48, 240, 195, 371), GroundTruthBoxes.FromVoc(48, 240, 195, 371, originShift: 0));
    }

    [Fact]
    public void Coco_boxes_become_corners_rounded_like_python()
    {
        Assert.Equal(new PixelBox(10, 20, 40, 60), GroundTruthBoxes.FromCoco(10.2, 19.7, 30.1, 40.0));
        // Python's round(2.5) == 2 and round(3.5) == 4.
        Assert.Equal(new PixelBox(2, 4, 4, 6), GroundTruthBoxes.FromCoco(2.5, 3.5, 1.0, 2.0));
    }
}
