namespace Repro.Data.ModelVsHuman;

/// <summary>
/// One benchmark image. <see cref="ImageId"/> links it to human trials; <see cref="TextureCategory"/> is set for
/// cue-conflict images (their <see cref="Category"/> is the shape).
/// </summary>
public sealed record ModelVsHumanImage(string Path, string Dataset, string Session, string ImageId, string Condition,
    string Category, int CategoryIndex, string? TextureCategory);

/// <summary>
/// A model-vs-human dataset folder (datasets/&lt;name&gt;/ of the benchmark's release), read in torchvision
/// ImageFolder order (sub-folders, then files, in ordinal order) as the benchmark's loader reads it. Each file's
/// category and condition come from the folder or the file name (see <see cref="ModelVsHumanImageName"/>).
/// Images are evaluated with the benchmark's eval transform (Resize 256, CenterCrop 224, ImageNet normalisation).
/// </summary>
public sealed class ModelVsHumanDataset
{
    public ModelVsHumanDatasetInfo Info { get; }
    public IReadOnlyList<ModelVsHumanImage> Images { get; }
    public LoadReport Report { get; }

    ModelVsHumanDataset(ModelVsHumanDatasetInfo info, IReadOnlyList<ModelVsHumanImage> images, LoadReport report) =>
        (Info, Images, Report) = (info, images, report);

    /// <param name="datasetsRoot">The benchmark's datasets/ folder, holding one folder per dataset.</param>
    /// <param name="categories">The category names files may carry: the benchmark's 16 by default; the generated
    /// synthetic sets use the synthetic class names in the same layout.</param>
    public static ModelVsHumanDataset Open(string datasetsRoot, string name, BadSamplePolicy policy = BadSamplePolicy.Fail, bool decodeAll = false,
        IReadOnlyList<string>? categories = null)
    {
        categories ??= ModelVsHumanCategories.Names;
        var info = ModelVsHumanDatasets.Get(name);
        var folder = Path.Combine(datasetsRoot, name);
        if (!Directory.Exists(folder))
            throw new DataFileException(folder, DataProblem.MissingFile, "dataset folder not found",
                $"Unpack the benchmark's {name} dataset there (datasets/{name}/ of the model-vs-human release)");
        var report = new LoadReport($"model-vs-human {name}");
        var images = new List<ModelVsHumanImage>();
        // Like torchvision's ImageFolder, files outside the sub-folders and non-image files are not samples.
        var ignored = Directory.GetFiles(folder).Length;
        foreach (var sub in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
            foreach (var file in Directory.GetFiles(sub).Order(StringComparer.Ordinal))
            {
                if (!ImageCodec.IsImageFile(file)) { ignored++; continue; }
                report.Listed++;
                report.Try(policy, file, () =>
                {
                    var image = Describe(info, categories, Path.GetFileName(sub), file);
                    ImageCodec.ReadSize(file);
                    if (decodeAll) ImageCodec.Decode(file);
                    images.Add(image);
                });
            }
        if (ignored > 0) report.Note($"{ignored} files ignored (not images, or not inside a sub-folder)");
        if (report.Listed == 0)
            throw new DataFileException(folder, DataProblem.MissingFile, "no images found",
                info.Layout == ModelVsHumanLayout.Sessions
                    ? $"Expected {name}/session-<n>/<images>.png"
                    : $"Expected {name}/<category>/<images>.png for the {categories.Count} categories");
        return new ModelVsHumanDataset(info, images, report);
    }

    static ModelVsHumanImage Describe(ModelVsHumanDatasetInfo info, IReadOnlyList<string> categories, string folderName, string file)
    {
        var fileName = Path.GetFileName(file);
        const string remedy = "Restore the benchmark's original file names";
        if (info.Layout == ModelVsHumanLayout.Sessions)
        {
            var parsed = ModelVsHumanImageName.ParseSessionName(fileName)
                ?? throw new DataFileException(file, DataProblem.MalformedFile,
                    "file name has fewer than 6 underscore-separated fields; expected <trial>_<exp>_<subj>_<condition>_<category>_<nn>_<source>", remedy);
            var index = CategoryIndex(categories, parsed.Category, file);
            if (!info.Conditions.Contains(parsed.Condition))
                throw new DataFileException(file, DataProblem.MalformedFile,
                    $"condition '{parsed.Condition}' is not one of {info.Name}'s conditions ({string.Join(", ", info.Conditions)})", remedy);
            return new ModelVsHumanImage(file, info.Name, folderName, ModelVsHumanImageName.ImageId(fileName), parsed.Condition,
                parsed.Category, index, null);
        }
        var category = folderName;
        var categoryIndex = CategoryIndex(categories, category, file);
        string? texture = null;
        if (info.Name == "cue-conflict")
        {
            var cue = ModelVsHumanImageName.ParseCueConflictName(fileName)
                ?? throw new DataFileException(file, DataProblem.MalformedFile, "cue-conflict file name is not <shape><n>-<texture><m>.png", remedy);
            if (cue.Shape != category)
                throw new DataFileException(file, DataProblem.MalformedFile, $"shape '{cue.Shape}' in the name differs from its folder '{category}'", remedy);
            CategoryIndex(categories, cue.Texture, file);
            texture = cue.Texture;
        }
        return new ModelVsHumanImage(file, info.Name, "session-1", ModelVsHumanImageName.ImageId(fileName),
            ModelVsHumanDatasets.SingleCondition, category, categoryIndex, texture);
    }

    static int CategoryIndex(IReadOnlyList<string> categories, string category, string file)
    {
        var index = categories.ToList().IndexOf(category);
        if (index < 0)
            throw new DataFileException(file, DataProblem.UnknownClass,
                $"category '{category}' is not one of the {categories.Count} ({string.Join(", ", categories)})",
                "Restore the benchmark's original folder and file names");
        return index;
    }
}
