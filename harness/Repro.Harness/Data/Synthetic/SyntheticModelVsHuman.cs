using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Repro.Config;
using Repro.Data.ModelVsHuman;
using Repro.Data.ModelVsHuman.Distortions;
using Repro.Measurement.Alignment.Evaluation;

namespace Repro.Data.Synthetic;

/// <summary>
/// Synthetic stand-ins for the model-vs-human datasets, written in the benchmark's folder layout and file naming
/// (datasets/&lt;name&gt;/session-1/NNNN_&lt;exp&gt;_dnn_&lt;condition&gt;_&lt;category&gt;_&lt;nn&gt;_&lt;source&gt;.png, and
/// &lt;name&gt;/&lt;category&gt;/... for edge, silhouette and cue-conflict) so that they are read back through
/// <see cref="ModelVsHumanDataset"/> exactly as the real release is. Categories are the synthetic class names.
/// <list type="bullet">
/// <item>parametric sets: fresh object-on-clutter images of each class (the classification data's drawing, its own
/// seeds), each distorted at every condition of the dataset; power equalisation imposes the mean amplitude spectrum
/// of these source images, as the benchmark did with its own;</item>
/// <item>non-parametric sets: <see cref="NonParametricStimuli"/>.</item>
/// </list>
/// Generated once per fingerprint into the cache, atomically (a folder with manifest.yaml is complete).
/// </summary>
public static class SyntheticModelVsHuman
{
    /// <summary>Bump when the file layout or the use of the generators changes, so that caches regenerate.</summary>
    public const int GeneratorVersion = 2;

    const string Session = "session-1";
    const long SourceTag = 0x4D564853; // "MVHS"
    const long DistortionTag = 0x4D564844; // "MVHD"

    public static string Fingerprint(SyntheticConfig data, AlignmentConfig alignment)
    {
        var seed = SeedOf(alignment);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"v{GeneratorVersion};objects=v{SyntheticClassificationData.GeneratorVersion};stimuli=v{NonParametricStimuli.GeneratorVersion};" +
            $"classes={data.Classes};size={data.ImageSize};scale={data.MinObjectScale}-{data.MaxObjectScale};parametric={alignment.ParametricImagesPerClass};" +
            $"nonparametric={alignment.NonParametricImagesPerClass};datasets={string.Join(",", alignment.Datasets)};seed={seed}");
        // Appended only when it departs from the benchmark, so existing caches keep their names.
        if (alignment.EidolonPictureSize != EidolonFactory.DefaultPictureSize)
            text += string.Create(CultureInfo.InvariantCulture, $";eidolon={alignment.EidolonPictureSize}");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12].ToLowerInvariant();
    }

    /// <summary>Where the sets are cached.</summary>
    public static string Folder(string cacheRoot, SyntheticConfig data, AlignmentConfig alignment) =>
        Path.Combine(cacheRoot, "data", $"model-vs-human-{Fingerprint(data, alignment)}");

    /// <summary>The sets' folder if it was generated completely, else null (without generating it).</summary>
    public static string? Generated(string cacheRoot, SyntheticConfig data, AlignmentConfig alignment) =>
        File.Exists(Path.Combine(Folder(cacheRoot, data, alignment), "manifest.yaml")) ? Folder(cacheRoot, data, alignment) : null;

    /// <summary>Returns the folder holding datasets/, generating it first if the cache lacks it.</summary>
    public static string Ensure(string cacheRoot, SyntheticConfig data, AlignmentConfig alignment, Action<string>? log = null) =>
        AtomicFile.EnsureFolder(Folder(cacheRoot, data, alignment), "manifest.yaml",
            tmp => Write(tmp, data, alignment),
            $"synthetic model-vs-human sets ({alignment.Datasets.Count} datasets, {data.Classes} classes, {data.ImageSize}px)", log);

    public static string DatasetsFolder(string root) => Path.Combine(root, "datasets");

    /// <summary>Writes the configured datasets under <paramref name="root"/>/datasets. Runs torch on the calling thread.</summary>
    public static void Write(string root, SyntheticConfig data, AlignmentConfig alignment)
    {
        var seed = SeedOf(alignment);
        var perCondition = alignment.ParametricImagesPerClass
            ?? throw new ConfigException("alignment.parametric_images_per_class is required to generate synthetic sets");
        var perClass = alignment.NonParametricImagesPerClass
            ?? throw new ConfigException("alignment.non_parametric_images_per_class is required to generate synthetic sets");
        var classes = ShapeClasses.Names.Take(data.Classes).ToArray();
        var datasets = DatasetsFolder(root);
        var written = new List<string>();
        var parametric = alignment.Datasets.Where(d => ModelVsHumanDatasets.Get(d).Parametric).ToList();
        if (parametric.Count > 0)
        {
            var sources = Sources(root, data, perCondition, seed);
            var distortions = ParametricDistortions.Create(AmplitudeSpectrum.MeanOf(sources.Select(s => s.Image)), alignment.EidolonPictureSize);
            foreach (var name in parametric)
            {
                var distortion = distortions.Single(d => d.Name == name);
                var folder = Directory.CreateDirectory(Path.Combine(datasets, name, Session)).FullName;
                var trial = 0;
                for (var k = 0; k < distortion.Conditions.Count; k++)
                    foreach (var (cls, index, image) in sources)
                    {
                        var condition = distortion.Conditions[k];
                        var distorted = distortion.Apply(image, condition, Seeds.Derive(seed, DistortionTag, DatasetIndex(name), k, cls, index));
                        var path = Path.Combine(folder, SessionFileName(++trial, name, condition, classes[cls], index));
                        NonParametricStimuli.Save(distorted, path);
                        written.Add(path);
                    }
            }
        }
        foreach (var name in alignment.Datasets.Where(d => !ModelVsHumanDatasets.Get(d).Parametric))
        {
            var info = ModelVsHumanDatasets.Get(name);
            var stimuli = NonParametricStimuli.Generate(name, classes.Length, perClass, data.ImageSize, seed, data.MinObjectScale, data.MaxObjectScale);
            var trial = 0;
            foreach (var s in stimuli)
            {
                var category = classes[s.ShapeClass];
                var path = info.Layout == ModelVsHumanLayout.Sessions
                    ? Path.Combine(datasets, name, Session, SessionFileName(++trial, name, ModelVsHumanDatasets.SingleCondition, category, s.Index))
                    : Path.Combine(datasets, name, category,
                        s.TextureClass is { } texture ? $"{category}{s.Index + 1}-{classes[texture]}{s.Index + 1}.png" : $"{category}{s.Index + 1}.png");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                NonParametricStimuli.Save(s.Image, path);
                written.Add(path);
            }
        }
        // the index by which a later deleted image is noticed instead of silently scoring one image fewer
        Directory.CreateDirectory(datasets);
        File.WriteAllLines(Path.Combine(datasets, OodSuite.ImageIndexFile), written.Select(f => Path.GetRelativePath(datasets, f).Replace('\\', '/')));
        File.WriteAllText(Path.Combine(root, "manifest.yaml"), string.Create(CultureInfo.InvariantCulture,
            $"generator_version: {GeneratorVersion}\nseed: {seed}\ncategories: [{string.Join(", ", classes)}]\n" +
            $"datasets: [{string.Join(", ", alignment.Datasets)}]\nparametric_images_per_class: {perCondition}\n" +
            $"non_parametric_images_per_class: {perClass}\nimage_size: {data.ImageSize}\n"));
    }

    /// <summary>
    /// The benchmark's session naming with a source field that is unique per class and image, so that the image id
    /// (the last field) pairs one source image's trials across observers within a condition.
    /// </summary>
    public static string SessionFileName(int trial, string dataset, string condition, string category, int index) =>
        string.Create(CultureInfo.InvariantCulture, $"{trial:D4}_{dataset.Replace("-", "")}_dnn_{condition}_{category}_{index:D2}_{category}-{index:D4}.png");

    /// <summary>The undistorted source images (and the masks the drawing writes with them), kept under sources/ beside datasets/.</summary>
    static List<(int Class, int Index, RgbImage Image)> Sources(string root, SyntheticConfig data, int perClass, int seed)
    {
        var classes = data.Classes;
        var sources = new List<(int, int, RgbImage)>();
        for (var cls = 0; cls < classes; cls++)
        {
            var images = Directory.CreateDirectory(Path.Combine(root, "sources", "images", ShapeClasses.Names[cls])).FullName;
            var masks = Directory.CreateDirectory(Path.Combine(root, "sources", "masks", ShapeClasses.Names[cls])).FullName;
            for (var i = 0; i < perClass; i++)
            {
                var name = $"{ShapeClasses.Names[cls]}-{i:D4}.png";
                SyntheticClassificationData.Draw(cls, data, new Random(Seeds.Derive(seed, SourceTag, cls, i)),
                    Path.Combine(images, name), Path.Combine(masks, name));
                sources.Add((cls, i, ImageCodec.Decode(Path.Combine(images, name))));
            }
        }
        return sources;
    }

    static int SeedOf(AlignmentConfig alignment) =>
        alignment.Seed ?? throw new ConfigException("alignment.seed is required to generate synthetic sets");

    static int DatasetIndex(string name) => ModelVsHumanDatasets.All.Select(d => d.Name).ToList().IndexOf(name);
}
