using Repro.Data;
using Repro.Data.Voc;
using static Repro.Tests.Data.DataFixtures;

namespace Repro.Tests.Data;

[Trait("Category", TestCategories.Unit)]
public class VocDatasetTests
{
    /// <summary>A small VOC2012 tree: 3 annotated images (non-square), 2 with masks, Main and Segmentation splits.</summary>
    static string WriteVoc(TempDir dir)
    {
        var root = dir["VOCdevkit/VOC2012"];
        const string part = """

                    <part>
                        <name>head</name>
                        <bndbox><xmin>20</xmin><ymin>12</ymin><xmax>30</xmax><ymax>22</ymax></bndbox>
                    </part>
            """;
        WriteVocImage(root, "2007_000032", 60, 40,
            [VocObject("aeroplane", 5, 6, 50, 30), VocObject("person", 18, 10, 32, 38, difficult: 1, truncated: 1, extra: part)],
            mask: (x, y) => x is >= 5 and < 50 && y is >= 6 and < 30 ? (byte)1 : x == 4 || x == 50 ? VocLabels.Void : VocLabels.Background);
        WriteVocImage(root, "2007_000033", 35, 52, [VocObject("tvmonitor", 1, 1, 35, 52, truncated: 1)],
            mask: (x, y) => (byte)(y < 26 ? 20 : 255));
        WriteVocImage(root, "2008_000001", 48, 30, [VocObject("dog", 10, 3, 40, 28)]);
        WriteSplit(root, "Main", "train", "2007_000032", "2008_000001");
        WriteSplit(root, "Main", "val", "2007_000033");
        WriteSplit(root, "Main", "trainval", "2007_000032", "2007_000033", "2008_000001");
        WriteSplit(root, "Segmentation", "trainval", "2007_000032", "2007_000033");
        return root;
    }

    [Fact]
    public void Main_split_reads_every_object_with_class_box_and_flags()
    {
        using var dir = new TempDir();
        var root = WriteVoc(dir);
        var voc = VocDataset.Open(new VocOptions { Root = root, Split = "trainval" });
        Assert.Equal(["2007_000032", "2007_000033", "2008_000001"], voc.Samples.Select(s => s.Id));
        Assert.Equal(3, voc.Report.Loaded);
        Assert.Empty(voc.Report.Skipped);

        var first = voc.Samples[0].Annotation;
        Assert.Equal((60, 40), (first.Width, first.Height));
        Assert.Equal(2, first.Objects.Count); // the person's <part> is not an object
        Assert.Equal(new VocObject("aeroplane", 1, 5, 6, 50, 30, false, false), first.Objects[0]);
        Assert.Equal(new VocObject("person", 15, 18, 10, 32, 38, true, true), first.Objects[1]);
        Assert.Equal(new PixelBox(4, 5, 50, 30), first.Objects[0].Box);
        Assert.Null(voc.Samples[0].MaskPath);

        var image = VocDataset.ReadImage(voc.Samples[1]);
        Assert.Equal((35, 52), (image.Width, image.Height)); // full resolution, non-square
    }

    [Fact]
    public void Year_finds_the_devkit_folder_and_splits_differ()
    {
        using var dir = new TempDir();
        WriteVoc(dir);
        var train = VocDataset.Open(new VocOptions { Root = dir.Path, Year = "2012", Split = "train" });
        var val = VocDataset.Open(new VocOptions { Root = dir.Path, Year = "2012", Split = "val" });
        Assert.Equal(["2007_000032", "2008_000001"], train.Samples.Select(s => s.Id));
        Assert.Equal(["2007_000033"], val.Samples.Select(s => s.Id));
    }

    [Fact]
    public void Segmentation_masks_are_read_as_class_indices_with_void_kept()
    {
        using var dir = new TempDir();
        var voc = VocDataset.Open(new VocOptions { Root = WriteVoc(dir), Split = "trainval", Task = VocTask.Segmentation, DecodeAll = true });
        Assert.Equal(2, voc.Samples.Count);
        var mask = VocDataset.ReadMask(voc.Samples[0]);
        Assert.Equal((60, 40), (mask.Width, mask.Height));
        Assert.Equal(1, mask[10, 10]);
        Assert.Equal(VocLabels.Void, mask[10, 4]);
        Assert.Equal(VocLabels.Background, mask[35, 55]);
        var tv = VocDataset.ReadMask(voc.Samples[1]);
        Assert.Equal(20, tv[0, 0]);
        Assert.Equal(255, tv[51, 34]);
        Assert.False(VocLabels.IsObject(255));
        Assert.True(VocLabels.IsObject(20));
        var localisation = voc.ToLocalisation();
        Assert.Equal(new PixelBox(0, 0, 35, 52), localisation[1].Objects[0].Box);
    }

    [Fact]
    public void Decimal_coordinates_and_missing_flags_are_read()
    {
        using var dir = new TempDir();
        var root = dir["VOC2012"];
        const string obj = "<object><name>cat</name><bndbox><xmin>3.5</xmin><ymin>2</ymin><xmax>20.25</xmax><ymax>15</ymax></bndbox></object>";
        WriteVocImage(root, "a", 24, 18, [obj]);
        WriteSplit(root, "Main", "val", "a");
        var o = VocDataset.Open(new VocOptions { Root = root, Split = "val" }).Samples[0].Annotation.Objects[0];
        Assert.Equal(new VocObject("cat", 8, 3.5, 2, 20.25, 15, false, false), o);
    }

    [Fact]
    public void Missing_split_file_names_the_file_and_the_splits_present()
    {
        using var dir = new TempDir();
        var root = WriteVoc(dir);
        var e = Assert.Throws<DataFileException>(() => VocDataset.Open(new VocOptions { Root = root, Split = "test" }));
        Assert.Equal(DataProblem.MissingFile, e.Problem);
        Assert.Contains(Path.Combine(root, "ImageSets", "Main", "test.txt"), e.Message);
        Assert.Contains("train, trainval, val", e.Message);
        var seg = Assert.Throws<DataFileException>(() => VocDataset.Open(new VocOptions { Root = root, Split = "val", Task = VocTask.Segmentation }));
        Assert.Contains("Segmentation", seg.Message);
    }

    [Fact]
    public void Missing_root_says_where_it_looked()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<DirectoryNotFoundException>(() => VocDataset.Open(new VocOptions { Root = dir.Path, Year = "2007", Split = "val" }));
        Assert.Contains(Path.Combine(dir.Path, "VOCdevkit", "VOC2007"), e.Message);
    }

    /// <summary>One bad sample among good ones: Fail names the file and problem, Skip counts it in the report.</summary>
    static void AssertBadSample(Action<string> spoil, DataProblem problem, string fileInMessage, string phrase,
        VocTask task = VocTask.Main, bool decodeAll = false)
    {
        using var dir = new TempDir();
        var root = WriteVoc(dir);
        spoil(root);
        const string split = "trainval";
        var e = Assert.ThrowsAny<Exception>(() =>
            VocDataset.Open(new VocOptions { Root = root, Split = split, Task = task, DecodeAll = decodeAll }));
        Assert.Contains(Path.Combine(root, fileInMessage), e.Message);
        Assert.Contains(phrase, e.Message);

        var skipped = VocDataset.Open(new VocOptions { Root = root, Split = split, Task = task, DecodeAll = decodeAll, Policy = BadSamplePolicy.Skip });
        var listed = task == VocTask.Main ? 3 : 2;
        Assert.Equal(listed, skipped.Report.Listed);
        Assert.Equal(listed - 1, skipped.Samples.Count);
        var skip = Assert.Single(skipped.Report.Skipped);
        Assert.Equal(problem, skip.Reason);
        Assert.Equal(Path.Combine(root, fileInMessage), skip.File);
        Assert.Equal(new Dictionary<DataProblem, int> { [problem] = 1 }, skipped.Report.SkipCounts);
        Assert.Contains($"{listed - 1} of {listed} samples loaded, 1 skipped ({problem}: 1)", skipped.Report.Summary());
    }

    [Fact]
    public void Annotation_without_size() => AssertBadSample(
        root => File.WriteAllText(Path.Combine(root, "Annotations/2008_000001.xml"),
            VocXml("2008_000001", 48, 30, [VocObject("dog", 10, 3, 40, 28)], size: false)),
        DataProblem.MalformedFile, "Annotations/2008_000001.xml", "no <size> element");

    [Fact]
    public void Box_outside_the_image() => AssertBadSample(
        root => File.WriteAllText(Path.Combine(root, "Annotations/2008_000001.xml"),
            VocXml("2008_000001", 48, 30, [VocObject("dog", 10, 3, 49, 28)])),
        DataProblem.BoxOutsideImage, "Annotations/2008_000001.xml", "xmax=49");

    [Fact]
    public void Unknown_class_name() => AssertBadSample(
        root => File.WriteAllText(Path.Combine(root, "Annotations/2008_000001.xml"),
            VocXml("2008_000001", 48, 30, [VocObject("dragon", 10, 3, 40, 28)])),
        DataProblem.UnknownClass, "Annotations/2008_000001.xml", "unknown class 'dragon'");

    [Fact]
    public void Malformed_XML() => AssertBadSample(
        root => File.WriteAllText(Path.Combine(root, "Annotations/2008_000001.xml"), "<annotation><size>"),
        DataProblem.MalformedFile, "Annotations/2008_000001.xml", "malformed XML");

    [Fact]
    public void Mask_of_another_size() => AssertBadSample(
        root => WriteMask(Path.Combine(root, "SegmentationClass/2007_000033.png"), 35, 51, (_, _) => 0),
        DataProblem.SizeMismatch, "SegmentationClass/2007_000033.png", "mask is 35x51", VocTask.Segmentation);

    [Fact]
    public void Non_palette_mask() => AssertBadSample(
        root => WriteRgbPng(Path.Combine(root, "SegmentationClass/2007_000033.png"), 35, 52),
        DataProblem.NotPaletteMask, "SegmentationClass/2007_000033.png", "not palette-indexed", VocTask.Segmentation);

    [Fact]
    public void Missing_mask() => AssertBadSample(
        root => File.Delete(Path.Combine(root, "SegmentationClass/2007_000033.png")),
        DataProblem.MissingFile, "SegmentationClass/2007_000033.png", "segmentation mask file not found", VocTask.Segmentation);

    [Fact]
    public void Unreadable_image() => AssertBadSample(
        root => File.WriteAllBytes(Path.Combine(root, "JPEGImages/2008_000001.jpg"), new byte[300]),
        DataProblem.UnreadableImage, "JPEGImages/2008_000001.jpg", "cannot decode image");

    [Fact]
    public void Image_of_another_size_than_its_annotation() => AssertBadSample(
        root => WriteImage(Path.Combine(root, "JPEGImages/2008_000001.jpg"), 30, 48),
        DataProblem.SizeMismatch, "JPEGImages/2008_000001.jpg", "image is 30x48");

    [Fact]
    public void Missing_annotation() => AssertBadSample(
        root => File.Delete(Path.Combine(root, "Annotations/2008_000001.xml")),
        DataProblem.MissingFile, "Annotations/2008_000001.xml", "annotation file not found");

    [Fact]
    public void Duplicate_split_entry()
    {
        using var dir = new TempDir();
        var root = WriteVoc(dir);
        WriteSplit(root, "Main", "val", "2007_000033", "2007_000033");
        var voc = VocDataset.Open(new VocOptions { Root = root, Split = "val", Policy = BadSamplePolicy.Skip });
        Assert.Equal((2, 1), (voc.Report.Listed, voc.Samples.Count));
        Assert.Equal(DataProblem.DuplicateEntry, Assert.Single(voc.Report.Skipped).Reason);
    }

    [Fact]
    public void Truncated_JPEG_is_found_when_decoded_and_named()
    {
        using var dir = new TempDir();
        var root = WriteVoc(dir);
        var path = Path.Combine(root, "JPEGImages/2008_000001.jpg");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);

        // The header is intact, so a header-only load keeps the sample and decoding it fails with the file named.
        var lazy = VocDataset.Open(new VocOptions { Root = root, Split = "trainval" });
        var e = Assert.Throws<CorruptImageException>(() => VocDataset.ReadImage(lazy.Samples[2]));
        Assert.Equal(path, e.PathName);

        var eager = VocDataset.Open(new VocOptions { Root = root, Split = "trainval", DecodeAll = true, Policy = BadSamplePolicy.Skip });
        Assert.Equal(DataProblem.UnreadableImage, Assert.Single(eager.Report.Skipped).Reason);
        Assert.Equal(path, eager.Report.Skipped[0].File);
    }

    [Fact]
    public void Several_bad_samples_are_all_counted()
    {
        using var dir = new TempDir();
        var root = WriteVoc(dir);
        File.Delete(Path.Combine(root, "JPEGImages/2007_000032.jpg"));
        File.WriteAllText(Path.Combine(root, "Annotations/2008_000001.xml"), VocXml("2008_000001", 48, 30, [VocObject("dragon", 1, 1, 2, 2)]));
        var voc = VocDataset.Open(new VocOptions { Root = root, Split = "trainval", Policy = BadSamplePolicy.Skip });
        Assert.Equal(["2007_000033"], voc.Samples.Select(s => s.Id));
        Assert.Equal(new Dictionary<DataProblem, int> { [DataProblem.MissingFile] = 1, [DataProblem.UnknownClass] = 1 }, voc.Report.SkipCounts);
    }
}
