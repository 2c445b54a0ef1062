using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace Repro.Data.Voc;

/// <summary>
/// One annotated object of a VOC XML file. Coordinates are VOC's: 1-based, inclusive pixel indices
/// (a box over a whole W×H image is 1..W × 1..H). <see cref="Label"/> is the mask label (class index + 1).
/// </summary>
public sealed record VocObject(string ClassName, int Label, double XMin, double YMin, double XMax, double YMax,
    bool Difficult, bool Truncated)
{
    /// <summary>The box in pixel-edge coordinates (xmin-1, ymin-1, xmax, ymax), as LOST and CorLoc read VOC boxes.</summary>
    public PixelBox Box => GroundTruthBoxes.FromVoc(XMin, YMin, XMax, YMax);
}

/// <summary>The content of Annotations/&lt;id&gt;.xml.</summary>
public sealed record VocAnnotation(string FileName, int Width, int Height, bool Segmented, IReadOnlyList<VocObject> Objects);

/// <summary>Reads VOC annotation XML, checking what the loaders rely on: the image size, known class names, boxes inside the image.</summary>
public static class VocAnnotationReader
{
    const string Remedy = "Restore the file from the original VOC archive, or regenerate the dataset";

    public static VocAnnotation Read(string path, IReadOnlyList<string> classes)
    {
        XElement root;
        try { root = XDocument.Load(path).Root!; }
        catch (XmlException e) { throw new DataFileException(path, DataProblem.MalformedFile, $"malformed XML ({e.Message})", Remedy); }
        catch (FileNotFoundException) { throw new DataFileException(path, DataProblem.MissingFile, "annotation file not found", Remedy); }
        if (root.Name != "annotation")
            throw new DataFileException(path, DataProblem.MalformedFile, $"root element is <{root.Name}>, expected <annotation>", Remedy);

        var size = root.Element("size")
            ?? throw new DataFileException(path, DataProblem.MalformedFile,
                "no <size> element: the image width and height are needed to check the boxes and the mask", Remedy);
        var width = PositiveInt(size, "width", path);
        var height = PositiveInt(size, "height", path);

        var objects = new List<VocObject>();
        var index = 0;
        foreach (var o in root.Elements("object"))
        {
            var where = $"object {index++}";
            var name = o.Element("name")?.Value.Trim()
                ?? throw new DataFileException(path, DataProblem.MalformedFile, $"{where} has no <name>", Remedy);
            var label = IndexOf(classes, name);
            if (label < 0)
                throw new DataFileException(path, DataProblem.UnknownClass,
                    $"{where} has unknown class '{name}'; known classes: {string.Join(", ", classes)}",
                    "Fix the class name, or load the dataset with the class list it was written with");
            var box = o.Element("bndbox")
                ?? throw new DataFileException(path, DataProblem.MalformedFile, $"{where} ({name}) has no <bndbox>", Remedy);
            double xmin = Number(box, "xmin", path), ymin = Number(box, "ymin", path);
            double xmax = Number(box, "xmax", path), ymax = Number(box, "ymax", path);
            // VOC coordinates are 1-based; 0 is tolerated as the left/top pixel edge.
            if (xmin < 0 || ymin < 0 || xmax > width || ymax > height || xmin > xmax || ymin > ymax)
                throw new DataFileException(path, DataProblem.BoxOutsideImage,
                    string.Create(CultureInfo.InvariantCulture,
                        $"{where} ({name}) has box xmin={xmin} ymin={ymin} xmax={xmax} ymax={ymax}, not inside the {width}x{height} image (VOC boxes are 1-based: 1 <= xmin <= xmax <= width, 1 <= ymin <= ymax <= height)"),
                    "Fix the box or the <size> element");
            objects.Add(new VocObject(name, label + 1, xmin, ymin, xmax, ymax, Flag(o, "difficult", path), Flag(o, "truncated", path)));
        }
        var segmented = root.Element("segmented") is { } s && s.Value.Trim() == "1";
        return new VocAnnotation(root.Element("filename")?.Value.Trim() ?? "", width, height, segmented, objects);
    }

    static int IndexOf(IReadOnlyList<string> list, string name)
    {
        for (var i = 0; i < list.Count; i++)
            if (list[i] == name) return i;
        return -1;
    }

    static int PositiveInt(XElement parent, string name, string path)
    {
        var text = parent.Element(name)?.Value.Trim();
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v <= 0)
            throw new DataFileException(path, DataProblem.MalformedFile,
                $"<size><{name}> is '{text ?? "missing"}', expected a positive integer", Remedy);
        return v;
    }

    static double Number(XElement parent, string name, string path)
    {
        var text = parent.Element(name)?.Value.Trim();
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            throw new DataFileException(path, DataProblem.MalformedFile, $"<bndbox><{name}> is '{text ?? "missing"}', expected a number", Remedy);
        return v;
    }

    /// <summary>VOC flags are "0"/"1"; some VOC2012 objects omit them, which means 0.</summary>
    static bool Flag(XElement o, string name, string path) => o.Element(name)?.Value.Trim() switch
    {
        null or "" or "0" => false,
        "1" => true,
        var other => throw new DataFileException(path, DataProblem.MalformedFile, $"<{name}> is '{other}', expected 0 or 1", Remedy),
    };
}
