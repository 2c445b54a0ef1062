using Repro.Data.Png;

namespace Repro.Data.Voc;

/// <summary>Which VOC split list to read: ImageSets/Main (detection, all annotated images) or ImageSets/Segmentation (images with masks).</summary>
public enum VocTask { Main, Segmentation }

/// <summary>One image of a VOC split: its files and parsed annotation. <see cref="MaskPath"/> is set for the Segmentation task.</summary>
public sealed record VocSample(string Id, string ImagePath, string AnnotationPath, string? MaskPath, VocAnnotation Annotation);

public sealed class VocOptions
{
    /// <summary>The VOC&lt;year&gt; folder (holding Annotations/, ImageSets/, JPEGImages/), or a folder holding VOCdevkit/VOC&lt;year&gt; or VOC&lt;year&gt;.</summary>
    public required string Root { get; init; }
    /// <summary>"2007" or "2012"; needed only when <see cref="Root"/> is above the VOC&lt;year&gt; folder.</summary>
    public string? Year { get; init; }
    /// <summary>train, val, trainval (or test where the archive has it).</summary>
    public required string Split { get; init; }
    public VocTask Task { get; init; } = VocTask.Main;
    /// <summary>Class names in label order (label = index + 1); default: the 20 VOC classes.</summary>
    public IReadOnlyList<string>? Classes { get; init; }
    public BadSamplePolicy Policy { get; init; } = BadSamplePolicy.Fail;
    /// <summary>Decode every image and mask while loading, so truncated files are found up front (slower).</summary>
    public bool DecodeAll { get; init; }
}

/// <summary>
/// PASCAL VOC 2007/2012 in the devkit layout. Loading reads the split list and every annotation, and checks
/// each sample's files (existence, image and mask headers, sizes, palette masks); pixels are decoded on demand.
/// Images are used at full resolution.
/// </summary>
public sealed class VocDataset
{
    public string Root { get; }
    public string Split { get; }
    public VocTask Task { get; }
    public IReadOnlyList<string> Classes { get; }
    public IReadOnlyList<VocSample> Samples { get; }
    public LoadReport Report { get; }

    VocDataset(string root, string split, VocTask task, IReadOnlyList<string> classes, IReadOnlyList<VocSample> samples, LoadReport report)
    {
        (Root, Split, Task, Classes, Samples, Report) = (root, split, task, classes, samples, report);
    }

    public static VocDataset Open(VocOptions options)
    {
        var root = ResolveRoot(options.Root, options.Year);
        var classes = options.Classes ?? ClassLists.Voc;
        var splitFile = Path.Combine(root, "ImageSets", options.Task.ToString(), options.Split + ".txt");
        if (!File.Exists(splitFile))
        {
            var dir = Path.GetDirectoryName(splitFile)!;
            var available = Directory.Exists(dir)
                ? string.Join(", ", Directory.GetFiles(dir, "*.txt").Select(Path.GetFileNameWithoutExtension).Where(n => !n!.Contains('_')).Order())
                : "none (folder missing)";
            throw new DataFileException(splitFile, DataProblem.MissingFile,
                $"split file not found; the VOC layout keeps split lists at ImageSets/{options.Task}/<split>.txt, splits present: {available}",
                "Choose an existing split, or point the data root at the VOC<year> folder of the devkit");
        }

        var report = new LoadReport($"VOC {Path.GetFileName(root)} {options.Task}/{options.Split}");
        var samples = new List<VocSample>();
        var seen = new HashSet<string>();
        foreach (var line in File.ReadLines(splitFile))
        {
            var id = line.Trim();
            if (id.Length == 0) continue;
            report.Listed++;
            report.Try(options.Policy, id, () =>
            {
                if (!seen.Add(id))
                    throw new DataFileException(splitFile, DataProblem.DuplicateEntry, $"id {id} is listed twice", "Remove the duplicate line");
                samples.Add(LoadSample(root, id, options, classes));
            });
        }
        if (report.Listed == 0)
            throw new DataFileException(splitFile, DataProblem.MalformedFile, "split file lists no image ids", "Restore the file from the VOC archive");
        var empty = samples.Count(s => s.Annotation.Objects.Count == 0);
        if (empty > 0) report.Note($"{empty} images have no annotated object");
        return new VocDataset(root, options.Split, options.Task, classes, samples, report);
    }

    static VocSample LoadSample(string root, string id, VocOptions options, IReadOnlyList<string> classes)
    {
        var annotationPath = Path.Combine(root, "Annotations", id + ".xml");
        RequireFile(annotationPath, "annotation");
        var annotation = VocAnnotationReader.Read(annotationPath, classes);
        var imagePath = Path.Combine(root, "JPEGImages", id + ".jpg");
        RequireFile(imagePath, "image");
        var (w, h) = ImageCodec.ReadSize(imagePath);
        if (w != annotation.Width || h != annotation.Height)
            throw new DataFileException(imagePath, DataProblem.SizeMismatch,
                $"image is {w}x{h} but {annotationPath} gives <size> {annotation.Width}x{annotation.Height}",
                "Restore the image or the annotation from the VOC archive");
        if (options.DecodeAll) ImageCodec.Decode(imagePath);

        string? maskPath = null;
        if (options.Task == VocTask.Segmentation)
        {
            maskPath = Path.Combine(root, "SegmentationClass", id + ".png");
            RequireFile(maskPath, "segmentation mask");
            var header = PalettePng.ReadHeader(maskPath);
            if (header.ColourType != PngColourType.Palette)
                throw new DataFileException(maskPath, DataProblem.NotPaletteMask,
                    $"mask is a {header.ColourType} PNG, not palette-indexed: its pixels cannot be read as class labels",
                    "Use the original SegmentationClass PNG (palette-indexed, 255 = void)");
            if (header.Width != w || header.Height != h)
                throw new DataFileException(maskPath, DataProblem.SizeMismatch,
                    $"mask is {header.Width}x{header.Height} but its image {imagePath} is {w}x{h}",
                    "Restore the mask from the VOC archive; masks must match their image pixel for pixel");
            if (options.DecodeAll) PalettePng.Read(maskPath);
        }
        return new VocSample(id, imagePath, annotationPath, maskPath, annotation);
    }

    static void RequireFile(string path, string what)
    {
        if (!File.Exists(path))
            throw new DataFileException(path, DataProblem.MissingFile, $"{what} file not found",
                "Restore it from the dataset archive, or remove its id from the split list");
    }

    static List<string> RootCandidates(string root, string? year) => year == null
        ? [root]
        : [root, Path.Combine(root, "VOCdevkit", "VOC" + year), Path.Combine(root, "VOC" + year)];

    /// <summary>The VOC&lt;year&gt; folder <see cref="VocOptions.Root"/> names (the first candidate holding ImageSets/), or null.</summary>
    public static string? FindRoot(string root, string? year) =>
        RootCandidates(root, year).FirstOrDefault(c => Directory.Exists(Path.Combine(c, "ImageSets"))) is { } found ? Path.GetFullPath(found) : null;

    static string ResolveRoot(string root, string? year)
    {
        if (FindRoot(root, year) is { } found) return found;
        var candidates = RootCandidates(root, year);
        throw new DirectoryNotFoundException(
            $"{root}: no VOC dataset found (looked for ImageSets/ in {string.Join(", ", candidates)}). " +
            "Point the data root at VOCdevkit/VOC2007 or VOCdevkit/VOC2012 (or their parent, giving the year).");
    }

    public static RgbImage ReadImage(VocSample sample) => ImageCodec.Decode(sample.ImagePath);

    /// <summary>The class-label mask: 0 = background, 1..N = class, 255 = void; checked against the image size.</summary>
    public static PaletteImage ReadMask(VocSample sample)
    {
        var path = sample.MaskPath
            ?? throw new InvalidOperationException($"sample {sample.Id} was loaded without a mask: open the dataset with VocTask.Segmentation");
        var mask = PalettePng.Read(path);
        if (mask.Width != sample.Annotation.Width || mask.Height != sample.Annotation.Height)
            throw new DataFileException(path, DataProblem.SizeMismatch,
                $"mask is {mask.Width}x{mask.Height}, its image {sample.Annotation.Width}x{sample.Annotation.Height}",
                "Restore the mask from the VOC archive");
        return mask;
    }

    /// <summary>Every image with all its objects (difficult and truncated included, flags kept).</summary>
    public IReadOnlyList<LocalisationImage> ToLocalisation() => Samples
        .Select(s => new LocalisationImage(s.Id, s.ImagePath, s.Annotation.Width, s.Annotation.Height,
            s.Annotation.Objects.Select(o => new GroundTruthObject(o.ClassName, o.Box, o.Difficult, o.Truncated)).ToList()))
        .ToList();
}

/// <summary>The label values of VOC SegmentationClass masks.</summary>
public static class VocLabels
{
    public const byte Background = 0;
    public const byte Void = 255;

    /// <summary>Object pixels in the corrected reading: any class label, neither background nor void.</summary>
    public static bool IsObject(byte label) => label != Background && label != Void;

    /// <summary>The VOC devkit colour map (labelcolormap.m): the palette VOC masks are saved with.</summary>
    public static byte[] Palette { get; } = BuildPalette();

    static byte[] BuildPalette()
    {
        var palette = new byte[256 * 3];
        for (var i = 0; i < 256; i++)
        {
            int r = 0, g = 0, b = 0, c = i;
            for (var j = 0; j < 8; j++)
            {
                r |= (c & 1) << (7 - j);
                g |= ((c >> 1) & 1) << (7 - j);
                b |= ((c >> 2) & 1) << (7 - j);
                c >>= 3;
            }
            (palette[3 * i], palette[3 * i + 1], palette[3 * i + 2]) = ((byte)r, (byte)g, (byte)b);
        }
        return palette;
    }
}
