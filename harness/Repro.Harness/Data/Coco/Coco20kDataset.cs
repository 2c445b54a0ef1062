using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Repro.Data.Coco;

/// <summary>
/// One non-crowd COCO object; <see cref="Box"/> is the JSON's [x, y, w, h] as (x, y, x+w, y+h), each corner rounded
/// to an integer as LOST does (<see cref="GroundTruthBoxes.FromCoco"/>).
/// </summary>
public sealed record CocoObject(long AnnotationId, int CategoryId, string CategoryName, PixelBox Box);

public sealed record CocoSample(long ImageId, string ImagePath, int Width, int Height, IReadOnlyList<CocoObject> Objects);

public sealed class Coco20kOptions
{
    /// <summary>Folder the file-list entries are relative to (LOST: datasets/COCO/images, entries train2014/COCO_train2014_*.jpg).</summary>
    public required string ImagesRoot { get; init; }
    /// <summary>The subset's file list, one image per line (LOST: datasets/coco_20k_filenames.txt).</summary>
    public required string FileList { get; init; }
    /// <summary>COCO instances JSON holding the listed images (instances_train2014.json).</summary>
    public required string Annotations { get; init; }
    /// <summary>When set, the JSON's categories must be exactly these (use <see cref="ClassLists.Coco"/> for real COCO).</summary>
    public IReadOnlyList<CocoCategory>? ExpectedCategories { get; init; }
    public BadSamplePolicy Policy { get; init; } = BadSamplePolicy.Fail;
    /// <summary>Decode every image while loading, so truncated files are found up front (slower).</summary>
    public bool DecodeAll { get; init; }
}

/// <summary>
/// COCO20k, the 19,817-image subset of COCO train2014 used by LOST: a file list selects images of the COCO
/// instances JSON; every non-crowd object is kept (iscrowd = 1 regions are dropped, as LOST does), boxes
/// converted from xywh to corner coordinates and rounded to integers (LOST's own data handling, in every fidelity). An image's id is the number after the last '_' of its file
/// name (COCO_train2014_000000000009.jpg → 9), as LOST derives it.
/// </summary>
public sealed class Coco20kDataset
{
    public const int StandardImageCount = 19817;
    /// <summary>Boxes may overshoot the image by this much (COCO stores float boxes) before they count as outside.</summary>
    const double BoxTolerance = 0.5;

    public IReadOnlyList<CocoCategory> Categories { get; }
    public IReadOnlyList<CocoSample> Samples { get; }
    public LoadReport Report { get; }

    Coco20kDataset(IReadOnlyList<CocoCategory> categories, IReadOnlyList<CocoSample> samples, LoadReport report) =>
        (Categories, Samples, Report) = (categories, samples, report);

    public static Coco20kDataset Open(Coco20kOptions options)
    {
        if (!File.Exists(options.FileList))
            throw new DataFileException(options.FileList, DataProblem.MissingFile, "COCO20k file list not found",
                "Point it at coco_20k_filenames.txt (one image path per line, relative to the images folder)");
        var instances = CocoInstancesFile.Read(options.Annotations);
        var categories = instances.Categories.Select(c => new CocoCategory(c.Id, c.Name)).ToList();
        if (options.ExpectedCategories is { } expected && !categories.SequenceEqual(expected))
            throw new DataFileException(options.Annotations, DataProblem.UnknownClass,
                $"categories differ from the expected {expected.Count} (first difference: " +
                $"{categories.Except(expected).Concat(expected.Except(categories)).FirstOrDefault()})",
                "Use the COCO 2014 instances file, or load without expected categories");
        var categoryNames = categories.ToDictionary(c => c.Id, c => c.Name);
        var images = instances.Images.ToDictionary(i => i.Id);
        var annotationsByImage = instances.Annotations.ToLookup(a => a.ImageId);

        var report = new LoadReport("COCO20k");
        var samples = new List<CocoSample>();
        var seen = new HashSet<long>();
        var crowdDropped = 0;
        var lineNumber = 0;
        foreach (var line in File.ReadLines(options.FileList))
        {
            lineNumber++;
            var entry = line.Trim();
            if (entry.Length == 0) continue;
            report.Listed++;
            report.Try(options.Policy, entry, () =>
            {
                var id = ImageIdOf(entry, options.FileList, lineNumber);
                if (!seen.Add(id))
                    throw new DataFileException(options.FileList, DataProblem.DuplicateEntry, $"line {lineNumber}: image {id} ({entry}) is listed twice", "Remove the duplicate line");
                if (!images.TryGetValue(id, out var image))
                    throw new DataFileException(options.Annotations, DataProblem.MissingFile,
                        $"has no image with id {id} (listed as {entry} on line {lineNumber} of {options.FileList})",
                        "Use the instances file of the split the list was drawn from (COCO20k: instances_train2014.json)");
                if (image.FileName != Path.GetFileName(entry))
                    throw new DataFileException(options.Annotations, DataProblem.MalformedFile,
                        $"image {id} is named {image.FileName}, but the file list gives {entry}", "Check that list and annotations belong together");
                var path = Path.Combine(options.ImagesRoot, entry);
                if (!File.Exists(path))
                    throw new DataFileException(path, DataProblem.MissingFile, "image file not found",
                        "Check the images folder (it holds train2014/) or restore the image");
                var (w, h) = ImageCodec.ReadSize(path);
                if (w != image.Width || h != image.Height)
                    throw new DataFileException(path, DataProblem.SizeMismatch,
                        $"image is {w}x{h} but {options.Annotations} gives {image.Width}x{image.Height} for id {id}", "Restore the image");
                if (options.DecodeAll) ImageCodec.Decode(path);

                var objects = new List<CocoObject>();
                var crowd = 0;
                foreach (var a in annotationsByImage[id])
                {
                    if (a.IsCrowd == 1) { crowd++; continue; }
                    if (!categoryNames.TryGetValue(a.CategoryId, out var name))
                        throw new DataFileException(options.Annotations, DataProblem.UnknownClass,
                            $"annotation {a.Id} (image {id}) has category_id {a.CategoryId}, which is not among the file's categories", "Fix the annotation");
                    if (a.Bbox is not { Length: 4 } b)
                        throw new DataFileException(options.Annotations, DataProblem.MalformedFile,
                            $"annotation {a.Id} (image {id}) has no 4-number bbox", "Fix the annotation");
                    if (b[2] < 0 || b[3] < 0 || b[0] < -BoxTolerance || b[1] < -BoxTolerance ||
                        b[0] + b[2] > image.Width + BoxTolerance || b[1] + b[3] > image.Height + BoxTolerance)
                        throw new DataFileException(options.Annotations, DataProblem.BoxOutsideImage,
                            string.Create(CultureInfo.InvariantCulture,
                                $"annotation {a.Id} (image {id}) has bbox [{b[0]}, {b[1]}, {b[2]}, {b[3]}] (x, y, w, h), outside the {image.Width}x{image.Height} image"),
                            "Fix the box");
                    // datasets.py extract_gt_COCO rounds each corner of the ground truth it scores against
                    objects.Add(new CocoObject(a.Id, a.CategoryId, name, GroundTruthBoxes.FromCoco(b[0], b[1], b[2], b[3])));
                }
                crowdDropped += crowd;
                samples.Add(new CocoSample(id, path, image.Width, image.Height, objects));
            });
        }
        if (crowdDropped > 0) report.Note($"{crowdDropped} crowd regions (iscrowd = 1) dropped");
        var empty = samples.Count(s => s.Objects.Count == 0);
        if (empty > 0) report.Note($"{empty} images have no object left after dropping crowd regions");
        return new Coco20kDataset(categories, samples, report);
    }

    /// <summary>LOST's rule: the integer after the last '_' of the file name.</summary>
    static long ImageIdOf(string entry, string listPath, int line)
    {
        var stem = Path.GetFileNameWithoutExtension(entry);
        var digits = stem[(stem.LastIndexOf('_') + 1)..];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            throw new DataFileException(listPath, DataProblem.MalformedFile,
                $"line {line}: '{entry}' does not end in an image id (expected e.g. train2014/COCO_train2014_000000000009.jpg)",
                "Fix the line");
        return id;
    }

    public static RgbImage ReadImage(CocoSample sample) => ImageCodec.Decode(sample.ImagePath);

    /// <summary>Every image with its non-crowd objects (COCO has no difficult/truncated flags).</summary>
    public IReadOnlyList<LocalisationImage> ToLocalisation() => Samples
        .Select(s => new LocalisationImage(s.ImageId.ToString(CultureInfo.InvariantCulture), s.ImagePath, s.Width, s.Height,
            s.Objects.Select(o => new GroundTruthObject(o.CategoryName, o.Box, false, false)).ToList()))
        .ToList();
}

/// <summary>The parts of a COCO instances JSON the loaders read (segmentations are skipped while parsing).</summary>
sealed class CocoInstancesFile
{
    public List<ImageEntry> Images { get; set; } = [];
    public List<AnnotationEntry> Annotations { get; set; } = [];
    public List<CategoryEntry> Categories { get; set; } = [];

    public sealed class ImageEntry
    {
        public long Id { get; set; }
        public string FileName { get; set; } = "";
        public int Width { get; set; }
        public int Height { get; set; }
    }

    public sealed class AnnotationEntry
    {
        public long Id { get; set; }
        public long ImageId { get; set; }
        public int CategoryId { get; set; }
        public double[]? Bbox { get; set; }
        [JsonPropertyName("iscrowd")]
        public int IsCrowd { get; set; }
    }

    public sealed class CategoryEntry
    {
        public int Id { get; set; }
        public string Name { get; set; } = "";
    }

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static CocoInstancesFile Read(string path)
    {
        if (!File.Exists(path))
            throw new DataFileException(path, DataProblem.MissingFile, "COCO instances JSON not found",
                "Point it at annotations/instances_train2014.json of the COCO 2014 release");
        try
        {
            using var stream = File.OpenRead(path);
            var file = JsonSerializer.Deserialize<CocoInstancesFile>(stream, Json)
                ?? throw new DataFileException(path, DataProblem.MalformedFile, "JSON document is null", "Restore the file");
            if (file.Images.Count == 0 || file.Categories.Count == 0)
                throw new DataFileException(path, DataProblem.MalformedFile, "no \"images\" or no \"categories\" in the file",
                    "Use a COCO instances file (keys images, annotations, categories)");
            return file;
        }
        catch (JsonException e)
        {
            throw new DataFileException(path, DataProblem.MalformedFile, $"malformed COCO JSON ({e.Message})", "Restore the file");
        }
    }
}
