using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Repro.Config;
using Repro.Data.Coco;
using Repro.Data.Png;
using Repro.Data.Voc;
using SkiaSharp;

namespace Repro.Data.Synthetic;

/// <summary>
/// The embedded localisation data: scenes of 1..N synthetic shape objects on clutter, with occlusion between
/// objects and truncation at the image border, written exactly as the real benchmarks are stored:
/// <list type="bullet">
/// <item><c>VOC/</c>: JPEGImages/*.jpg (varying, non-square sizes), Annotations/*.xml (class, 1-based box of the
/// visible part, truncated/occluded/difficult flags), SegmentationClass/*.png (palette PNG: 0 background,
/// class + 1, 255 void band along object edges), ImageSets/{Main,Segmentation}/{train,val,trainval}.txt;</item>
/// <item><c>coco/instances.json</c> + <c>coco/filenames.txt</c>: the same scenes as a COCO20k-style subset
/// (file-list entries relative to VOC/).</item>
/// </list>
/// Generated once per (generator version, config, seed) into .cache/data/scenes-&lt;hash&gt;, through a temporary
/// folder renamed when complete (a folder with manifest.yaml is complete).
/// </summary>
public static class SyntheticScenes
{
    /// <summary>Bump when the drawing changes, so caches regenerate.</summary>
    public const int GeneratorVersion = 3;
    /// <summary>Objects with less visible area than this share of their full area are marked difficult.</summary>
    const double DifficultVisibleShare = 0.3;
    const int MinVisiblePixels = 40;

    public static string VocRoot(string dir) => Path.Combine(dir, "VOC");
    public static string CocoFileList(string dir) => Path.Combine(dir, "coco", "filenames.txt");
    public static string CocoAnnotations(string dir) => Path.Combine(dir, "coco", "instances.json");
    public static IReadOnlyList<string> ClassNames(SyntheticScenesConfig c) => ShapeClasses.Names.Take(c.Classes).ToList();

    public static VocDataset OpenVoc(string dir, SyntheticScenesConfig config, string split, VocTask task = VocTask.Main) =>
        VocDataset.Open(new VocOptions { Root = VocRoot(dir), Split = split, Task = task, Classes = ClassNames(config) });

    public static Coco20kDataset OpenCoco(string dir) => Coco20kDataset.Open(new Coco20kOptions
    {
        ImagesRoot = VocRoot(dir), FileList = CocoFileList(dir), Annotations = CocoAnnotations(dir),
    });

    /// <summary>The scenes' own seed, derived from the profile seed so it differs from the classification data's.</summary>
    public static int SceneSeed(int profileSeed) => Seeds.Derive(profileSeed, 0x5CE4E5);

    public static string Fingerprint(SyntheticScenesConfig c, int profileSeed)
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"scenes-v{GeneratorVersion};count={c.Count};sides={c.MinSide}-{c.MaxSide}/{c.SideMultiple};objects={c.MaxObjects};scale={c.MinObjectScale}-{c.MaxObjectScale};classes={c.Classes};val={c.ValFraction};seed={profileSeed}");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12].ToLowerInvariant();
    }

    /// <summary>Where the scenes are cached.</summary>
    public static string Folder(string cacheRoot, SyntheticScenesConfig config, int profileSeed) =>
        Path.Combine(cacheRoot, "data", $"scenes-{Fingerprint(config, profileSeed)}");

    /// <summary>The scenes folder if it was generated completely, else null (without generating it).</summary>
    public static string? Generated(string cacheRoot, SyntheticScenesConfig config, int profileSeed) =>
        File.Exists(Path.Combine(Folder(cacheRoot, config, profileSeed), "manifest.yaml")) ? Folder(cacheRoot, config, profileSeed) : null;

    /// <summary>Returns the scenes folder, generating it first if the cache lacks it.</summary>
    public static string Ensure(string cacheRoot, SyntheticScenesConfig config, int profileSeed, Action<string>? log = null)
    {
        return AtomicFile.EnsureFolder(Folder(cacheRoot, config, profileSeed), "manifest.yaml",
            tmp => Write(tmp, config, profileSeed),
            $"{config.Count} synthetic scenes ({config.MinSide}-{config.MaxSide}px, 1-{config.MaxObjects} objects)", log);
    }

    /// <summary>One object as placed in a scene, after visibility is known.</summary>
    sealed record PlacedObject(int Class, int XMin, int YMin, int XMax, int YMax, int VisiblePixels, bool Truncated, bool Occluded, bool Difficult);

    sealed record Scene(string Id, int Width, int Height, IReadOnlyList<PlacedObject> Objects);

    public static void Write(string root, SyntheticScenesConfig config, int profileSeed)
    {
        var voc = VocRoot(root);
        foreach (var sub in new[] { "JPEGImages", "Annotations", "SegmentationClass", "ImageSets/Main", "ImageSets/Segmentation" })
            Directory.CreateDirectory(Path.Combine(voc, sub));
        Directory.CreateDirectory(Path.Combine(root, "coco"));
        var seed = SceneSeed(profileSeed);
        var scenes = new Scene[config.Count];
        Parallel.For(0, config.Count, i =>
        {
            var scene = DrawScene((i + 1).ToString("D6", CultureInfo.InvariantCulture), config, new Random(Seeds.Derive(seed, 1, i)), voc);
            WriteAnnotation(Path.Combine(voc, "Annotations", scene.Id + ".xml"), scene);
            scenes[i] = scene;
        });

        var ids = scenes.Select(s => s.Id).ToArray();
        new Random(Seeds.Derive(seed, 2)).Shuffle(ids);
        var valCount = Math.Clamp((int)Math.Round(ids.Length * config.ValFraction), 1, ids.Length - 1);
        var splits = new Dictionary<string, IEnumerable<string>>
        {
            ["val"] = ids.Take(valCount),
            ["train"] = ids.Skip(valCount),
            ["trainval"] = ids,
        };
        foreach (var (split, members) in splits)
            foreach (var task in new[] { "Main", "Segmentation" })
                File.WriteAllLines(Path.Combine(voc, "ImageSets", task, split + ".txt"), members.Order(StringComparer.Ordinal));

        WriteCoco(root, scenes, config);
        File.WriteAllText(Path.Combine(root, "manifest.yaml"), string.Create(CultureInfo.InvariantCulture,
            $"generator: synthetic-scenes\ngenerator_version: {GeneratorVersion}\nprofile_seed: {profileSeed}\ncount: {config.Count}\n" +
            $"min_side: {config.MinSide}\nmax_side: {config.MaxSide}\nmax_objects: {config.MaxObjects}\n" +
            $"min_object_scale: {config.MinObjectScale}\nmax_object_scale: {config.MaxObjectScale}\n" +
            $"classes: [{string.Join(", ", ClassNames(config))}]\nval_fraction: {config.ValFraction}\n"));
    }

    static Scene DrawScene(string id, SyntheticScenesConfig config, Random rng, string voc)
    {
        int Side() => config.MinSide + rng.Next((config.MaxSide - config.MinSide) / config.SideMultiple + 1) * config.SideMultiple;
        int width = Side(), height = Side();
        var count = 1 + rng.Next(config.MaxObjects);
        // Re-draw the layout until every object shows enough pixels to be annotated; after that, leave out the hidden ones.
        List<(int Class, SKPath Path)> layout = [];
        byte[] owner = [];
        int[] visible = [], inside = [], full = [];
        for (var attempt = 0; attempt < 30; attempt++)
        {
            foreach (var (_, p) in layout) p.Dispose();
            layout = Enumerable.Range(0, count).Select(_ => Place(width, height, config, rng)).ToList();
            (owner, visible, inside, full) = Coverage(layout, width, height);
            if (visible.All(v => v >= MinVisiblePixels)) break;
        }
        if (visible.Any(v => v < MinVisiblePixels) && visible.Any(v => v >= MinVisiblePixels))
        {
            var hidden = Enumerable.Range(0, layout.Count).Where(k => visible[k] < MinVisiblePixels).ToList();
            foreach (var k in hidden) layout[k].Path.Dispose();
            layout = layout.Where((_, k) => !hidden.Contains(k)).ToList();
            (owner, visible, inside, full) = Coverage(layout, width, height);
        }

        var objects = new List<PlacedObject>();
        for (var k = 0; k < layout.Count; k++)
        {
            var (xmin, ymin, xmax, ymax) = BoxOf(owner, width, height, (byte)(k + 1));
            objects.Add(new PlacedObject(layout[k].Class, xmin + 1, ymin + 1, xmax + 1, ymax + 1, visible[k],
                Truncated: inside[k] < full[k], Occluded: visible[k] < inside[k],
                Difficult: visible[k] < DifficultVisibleShare * full[k]));
        }

        var labels = new byte[width * height];
        for (var i = 0; i < labels.Length; i++)
            labels[i] = owner[i] == 0 ? VocLabels.Background : (byte)(layout[owner[i] - 1].Class + 1);
        AddVoidBand(labels, owner, width, height, radius: Math.Max(1, (int)Math.Round(Math.Min(width, height) / 160.0)));
        PalettePng.Write(Path.Combine(voc, "SegmentationClass", id + ".png"), new PaletteImage(width, height, labels, VocLabels.Palette));

        using var image = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(image))
        {
            ShapeClasses.DrawBackground(canvas, width, height, rng, pieces: 12 + rng.Next(12));
            var cell = ShapeClasses.TextureCell(Math.Min(width, height), config.MinObjectScale, config.MaxObjectScale);
            foreach (var (cls, path) in layout)
                ShapeClasses.DrawObject(canvas, path, ShapeClasses.TextureFor(cls, config.Classes, rng), cell, rng);
        }
        ImageCodec.EncodeToFile(image, Path.Combine(voc, "JPEGImages", id + ".jpg"), jpegQuality: 90);
        foreach (var (_, p) in layout) p.Dispose();
        return new Scene(id, width, height, objects);
    }

    /// <summary>A class and outline placed in the image at the configured scale; a fifth of objects sit across a border (truncated).</summary>
    static (int Class, SKPath Path) Place(int width, int height, SyntheticScenesConfig config, Random rng)
    {
        var cls = rng.Next(config.Classes);
        var side = Math.Min(width, height);
        var across = rng.NextDouble() < 0.2 ? rng.Next(4) : -1; // which border (left, right, top, bottom), if any
        float Scale() => (float)(config.MinObjectScale + (config.MaxObjectScale - config.MinObjectScale) * rng.NextDouble());
        float Centre(int extent, int low, int high) =>
            extent * (across == low ? -0.05f + 0.15f * rng.NextSingle() : across == high ? 0.9f + 0.15f * rng.NextSingle() : 0.2f + 0.6f * rng.NextSingle());
        var placement = SKMatrix.Concat(
            SKMatrix.CreateTranslation(Centre(width, 0, 1), Centre(height, 2, 3)),
            SKMatrix.Concat(SKMatrix.CreateRotationDegrees(rng.NextSingle() * 360f),
                SKMatrix.CreateScale(side * Scale(), side * Scale())));
        using var outline = ShapeClasses.Outline(cls);
        var placed = new SKPath();
        outline.Transform(placement, placed);
        return (cls, placed);
    }

    /// <summary>
    /// Rasterises the objects (later ones on top), each on a canvas of its own bounds so the parts beyond the image
    /// count too: per pixel, the 1-based index of the top object; per object, pixels visible in the image, pixels
    /// inside the image, pixels in all.
    /// </summary>
    static (byte[] Owner, int[] Visible, int[] Inside, int[] Full) Coverage(List<(int Class, SKPath Path)> layout, int width, int height)
    {
        var owner = new byte[width * height];
        int n = layout.Count;
        int[] visible = new int[n], inside = new int[n], full = new int[n];
        using var paint = new SKPaint { IsAntialias = false, Color = SKColors.White };
        for (var k = 0; k < n; k++)
        {
            var bounds = layout[k].Path.Bounds;
            int left = (int)Math.Floor(bounds.Left) - 1, top = (int)Math.Floor(bounds.Top) - 1;
            int bw = (int)Math.Ceiling(bounds.Right) + 1 - left, bh = (int)Math.Ceiling(bounds.Bottom) + 1 - top;
            using var bitmap = new SKBitmap(new SKImageInfo(bw, bh, SKColorType.Gray8, SKAlphaType.Opaque));
            using (var canvas = new SKCanvas(bitmap))
            {
                canvas.Clear(SKColors.Black);
                canvas.Translate(-left, -top); // whole pixels, so the rasterisation equals drawing on the image itself
                canvas.DrawPath(layout[k].Path, paint);
            }
            var px = bitmap.GetPixelSpan();
            for (var y = 0; y < bh; y++)
                for (var x = 0; x < bw; x++)
                {
                    if (px[y * bitmap.RowBytes + x] < 128) continue;
                    full[k]++;
                    int ix = x + left, iy = y + top;
                    if (ix < 0 || iy < 0 || ix >= width || iy >= height) continue;
                    inside[k]++;
                    owner[iy * width + ix] = (byte)(k + 1);
                }
        }
        foreach (var o in owner)
            if (o > 0) visible[o - 1]++;
        return (owner, visible, inside, full);
    }

    /// <summary>0-based inclusive bounds of the pixels owned by <paramref name="id"/>.</summary>
    static (int XMin, int YMin, int XMax, int YMax) BoxOf(byte[] owner, int width, int height, byte id)
    {
        int xmin = width, ymin = height, xmax = -1, ymax = -1;
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                if (owner[y * width + x] == id)
                {
                    xmin = Math.Min(xmin, x); xmax = Math.Max(xmax, x);
                    ymin = Math.Min(ymin, y); ymax = Math.Max(ymax, y);
                }
        return (xmin, ymin, xmax, ymax);
    }

    /// <summary>
    /// Marks as void (255) every pixel within <paramref name="radius"/> of a boundary between two different owners
    /// (object/background or object/object), like the band VOC's annotators drew along object outlines.
    /// </summary>
    static void AddVoidBand(byte[] labels, byte[] owner, int width, int height, int radius)
    {
        var edge = new bool[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var o = owner[y * width + x];
                if ((x + 1 < width && owner[y * width + x + 1] != o) || (y + 1 < height && owner[(y + 1) * width + x] != o))
                    edge[y * width + x] = true;
            }
        // Separable square dilation of the edge pixels.
        var rows = new bool[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                for (var dx = -radius; dx <= radius && !rows[y * width + x]; dx++)
                {
                    var xx = x + dx;
                    if (xx >= 0 && xx < width && edge[y * width + xx]) rows[y * width + x] = true;
                }
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                for (var dy = -radius; dy <= radius; dy++)
                {
                    var yy = y + dy;
                    if (yy >= 0 && yy < height && rows[yy * width + x]) { labels[y * width + x] = VocLabels.Void; break; }
                }
    }

    static void WriteAnnotation(string path, Scene scene)
    {
        static string Flag(bool b) => b ? "1" : "0";
        var doc = new XDocument(new XElement("annotation",
            new XElement("folder", "VOC"),
            new XElement("filename", scene.Id + ".jpg"),
            new XElement("source", new XElement("database", "Repro synthetic scenes")),
            new XElement("size", new XElement("width", scene.Width), new XElement("height", scene.Height), new XElement("depth", 3)),
            new XElement("segmented", 1),
            scene.Objects.Select(o => new XElement("object",
                new XElement("name", ShapeClasses.Names[o.Class]),
                new XElement("pose", "Unspecified"),
                new XElement("truncated", Flag(o.Truncated)),
                new XElement("occluded", Flag(o.Occluded)),
                new XElement("difficult", Flag(o.Difficult)),
                new XElement("bndbox",
                    new XElement("xmin", o.XMin), new XElement("ymin", o.YMin),
                    new XElement("xmax", o.XMax), new XElement("ymax", o.YMax))))));
        doc.Save(path);
    }

    static void WriteCoco(string root, Scene[] scenes, SyntheticScenesConfig config)
    {
        using (var stream = File.Create(CocoAnnotations(root)))
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false }))
        {
            json.WriteStartObject();
            json.WriteStartArray("images");
            foreach (var s in scenes)
            {
                json.WriteStartObject();
                json.WriteNumber("id", long.Parse(s.Id, CultureInfo.InvariantCulture));
                json.WriteString("file_name", s.Id + ".jpg");
                json.WriteNumber("width", s.Width);
                json.WriteNumber("height", s.Height);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("annotations");
            var annotationId = 0;
            foreach (var s in scenes)
                foreach (var o in s.Objects)
                {
                    json.WriteStartObject();
                    json.WriteNumber("id", ++annotationId);
                    json.WriteNumber("image_id", long.Parse(s.Id, CultureInfo.InvariantCulture));
                    json.WriteNumber("category_id", o.Class + 1);
                    // COCO boxes are [x, y, w, h] in pixel-edge coordinates: VOC's (xmin-1, ymin-1, xmax-xmin+1, ymax-ymin+1).
                    json.WriteStartArray("bbox");
                    json.WriteNumberValue(o.XMin - 1);
                    json.WriteNumberValue(o.YMin - 1);
                    json.WriteNumberValue(o.XMax - o.XMin + 1);
                    json.WriteNumberValue(o.YMax - o.YMin + 1);
                    json.WriteEndArray();
                    json.WriteNumber("area", o.VisiblePixels);
                    json.WriteNumber("iscrowd", 0);
                    json.WriteStartArray("segmentation");
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
            json.WriteEndArray();
            json.WriteStartArray("categories");
            for (var c = 0; c < config.Classes; c++)
            {
                json.WriteStartObject();
                json.WriteNumber("id", c + 1);
                json.WriteString("name", ShapeClasses.Names[c]);
                json.WriteString("supercategory", "shape");
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        File.WriteAllLines(CocoFileList(root), scenes.Select(s => $"JPEGImages/{s.Id}.jpg"));
    }
}
