using Repro.Data.Png;
using SkiaSharp;

namespace Repro.Tests.Data;

/// <summary>Writes small files in the public formats the loaders read.</summary>
static class DataFixtures
{
    /// <summary>A JPEG or PNG (by extension) of a diagonal colour gradient, so decoded pixels vary.</summary>
    public static void WriteImage(string path, int width, int height)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 255 / width), (byte)(y * 255 / height), (byte)((x + y) % 256)));
        Repro.Data.ImageCodec.EncodeToFile(bitmap, path);
    }

    /// <summary>An RGB (colour type 2) PNG, which is not a valid segmentation mask.</summary>
    public static void WriteRgbPng(string path, int width, int height)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgb888x, SKAlphaType.Opaque));
        bitmap.Erase(new SKColor(128, 0, 0));
        Repro.Data.ImageCodec.EncodeToFile(bitmap, path);
    }

    public static void WriteMask(string path, int width, int height, Func<int, int, byte> label)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var indices = new byte[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                indices[y * width + x] = label(x, y);
        PalettePng.Write(path, new PaletteImage(width, height, indices, Repro.Data.Voc.VocLabels.Palette));
    }

    /// <summary>A VOC object element as the devkit writes it.</summary>
    public static string VocObject(string name, int xmin, int ymin, int xmax, int ymax, int difficult = 0, int truncated = 0, string extra = "") => $"""
            <object>
                <name>{name}</name>
                <pose>Unspecified</pose>
                <truncated>{truncated}</truncated>
                <difficult>{difficult}</difficult>
                <bndbox>
                    <xmin>{xmin}</xmin>
                    <ymin>{ymin}</ymin>
                    <xmax>{xmax}</xmax>
                    <ymax>{ymax}</ymax>
                </bndbox>{extra}
            </object>
        """;

    /// <summary>A VOC annotation file; <paramref name="size"/> false leaves out the &lt;size&gt; element.</summary>
    public static string VocXml(string id, int width, int height, IEnumerable<string> objects, bool size = true, int segmented = 0) => $"""
        <annotation>
            <folder>VOC2012</folder>
            <filename>{id}.jpg</filename>
            <source>
                <database>The VOC2007 Database</database>
                <annotation>PASCAL VOC2007</annotation>
                <image>flickr</image>
            </source>
            {(size ? $"<size>\n<width>{width}</width>\n<height>{height}</height>\n<depth>3</depth>\n</size>" : "")}
            <segmented>{segmented}</segmented>
        {string.Join("\n", objects)}
        </annotation>
        """;

    /// <summary>One VOC image with its annotation (and mask when <paramref name="mask"/> is given) under a VOC&lt;year&gt; root.</summary>
    public static void WriteVocImage(string root, string id, int width, int height, IEnumerable<string> objects, Func<int, int, byte>? mask = null)
    {
        WriteImage(System.IO.Path.Combine(root, "JPEGImages", id + ".jpg"), width, height);
        Directory.CreateDirectory(System.IO.Path.Combine(root, "Annotations"));
        File.WriteAllText(System.IO.Path.Combine(root, "Annotations", id + ".xml"), VocXml(id, width, height, objects, segmented: mask != null ? 1 : 0));
        if (mask != null) WriteMask(System.IO.Path.Combine(root, "SegmentationClass", id + ".png"), width, height, mask);
    }

    public static void WriteSplit(string root, string task, string split, params string[] ids)
    {
        Directory.CreateDirectory(System.IO.Path.Combine(root, "ImageSets", task));
        File.WriteAllLines(System.IO.Path.Combine(root, "ImageSets", task, split + ".txt"), ids);
    }
}
