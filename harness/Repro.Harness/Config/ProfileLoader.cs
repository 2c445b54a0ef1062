namespace Repro.Config;

public static class ProfileLoader
{
    public static string ProfilesDirectory(string repoRoot) => Path.Combine(repoRoot, "profiles");

    public static IReadOnlyList<string> Available(string repoRoot) =>
        Directory.Exists(ProfilesDirectory(repoRoot))
            ? Directory.GetFiles(ProfilesDirectory(repoRoot), "*.yaml").Select(f => Path.GetFileNameWithoutExtension(f)!).Order().ToList()
            : [];

    public static Profile Load(string repoRoot, string name)
    {
        var path = Path.Combine(ProfilesDirectory(repoRoot), name + ".yaml");
        if (!File.Exists(path))
            throw new ConfigException(
                $"unknown profile '{name}': {path} does not exist; available profiles: {string.Join(", ", Available(repoRoot))}");
        return Validate(StrictYaml.LoadFile<Profile>(path, ""), path);
    }

    public static Profile Validate(Profile p, string source)
    {
        void Require(bool ok, string key, string what)
        {
            if (!ok) throw new ConfigException($"{source}: '{key}' {what}");
        }
        Require(p.Models.Count > 0, "models", "must list at least one model");
        foreach (var (m, i) in p.Models.Select((m, i) => (m, i)))
        {
            Require(m.Lr is null || (double.IsFinite(m.Lr.Value) && m.Lr > 0), $"models[{i}].lr",
                $"is {m.Lr}; the learning rate of {m.Architecture} must be a finite number > 0 (or leave the key out to use schedule.lr)");
            Require(Models.ModelZoo.Architectures.Contains(m.Architecture), "models[].architecture",
                $"is '{m.Architecture}'; allowed values: {string.Join(", ", Models.ModelZoo.Architectures)}");
            Require(m.Width > 0 && m.Width <= 4, "models[].width", $"is {m.Width}; must be in (0, 4]");
            Require(p.IterationsFor(m) >= 0, "models[].iterations", "must be >= 0");
            var problem = Models.ModelZoo.Problem(m, p.Data.ImageSize);
            Require(problem == null, "models[]", problem ?? "");
        }
        Require(p.Pruning.Method != PruningMethod.Snip || p.Pruning.SnipSparsity is > 0 and < 1, "pruning.snip_sparsity",
            $"is {p.Pruning.SnipSparsity?.ToString() ?? "missing"}; method snip needs a target sparsity in (0, 1), e.g. 0.914");
        Require(p.Pruning.Rate > 0 && p.Pruning.Rate < 1, "pruning.rate", $"is {p.Pruning.Rate}; must be in (0, 1)");
        Require(p.Pruning.Iterations >= 0, "pruning.iterations", "must be >= 0");
        Require(p.Schedule.Epochs >= 1, "schedule.epochs", "must be >= 1");
        Require(p.Schedule.BatchSize >= 1, "schedule.batch_size", $"is {p.Schedule.BatchSize}; must be >= 1 (training images per step)");
        Require(p.Data.EvalBatchSize >= 1, "data.eval_batch_size", $"is {p.Data.EvalBatchSize}; must be >= 1 (images per evaluation batch)");
        Require(double.IsFinite(p.Schedule.Lr) && p.Schedule.Lr > 0, "schedule.lr", $"is {p.Schedule.Lr}; the learning rate must be a finite number > 0");
        Require(p.Data.ImageSize >= 16, "data.image_size", "must be >= 16");
        Require(p.Data.ResizeSize >= p.Data.ImageSize, "data.resize_size", "must be >= data.image_size");
        Require(p.Data.Kind != DataKind.Synthetic || p.Data.Synthetic != null, "data.synthetic",
            "is required when data.kind is synthetic");
        if (p.Data.Scenes is { } scenes)
        {
            Require(scenes.Count >= 2, "data.scenes.count", $"is {scenes.Count}; must be >= 2 (a train and a val scene)");
            Require(scenes.MinSide >= 32 && scenes.MaxSide >= scenes.MinSide, "data.scenes.min_side/max_side",
                $"are {scenes.MinSide}/{scenes.MaxSide}; need 32 <= min_side <= max_side");
            Require(scenes.MaxObjects is >= 1 and <= 8, "data.scenes.max_objects", $"is {scenes.MaxObjects}; must be in 1..8");
            Require(scenes.Classes >= 1 && scenes.Classes <= Data.Synthetic.ShapeClasses.Count, "data.scenes.classes",
                $"is {scenes.Classes}; must be in 1..{Data.Synthetic.ShapeClasses.Count}");
            Require(scenes.ValFraction > 0 && scenes.ValFraction < 1, "data.scenes.val_fraction", $"is {scenes.ValFraction}; must be in (0, 1)");
        }
        Require(p.Discovery.Stride is 8 or 16 or 32, "discovery.stride", $"is {p.Discovery.Stride}; allowed values: 8, 16, 32");
        Require(p.Discovery.KPatches >= 1, "discovery.k_patches", $"is {p.Discovery.KPatches}; must be >= 1");
        Require(p.Discovery.QualitativeImages >= 0, "discovery.qualitative_images", $"is {p.Discovery.QualitativeImages}; must be >= 0");
        if (p.Figures.Contains("object-discovery")) ValidateDiscoveryDatasets(p, Require);
        if (p.Interpretability is { } interp)
        {
            Require(interp.Images >= 1, "interpretability.images", $"is {interp.Images}; must be >= 1");
            Require(interp.HeatmapImages >= 1 && interp.HeatmapImages <= interp.Images, "interpretability.heatmap_images",
                $"is {interp.HeatmapImages}; must be in 1..interpretability.images ({interp.Images})");
            Require(interp.IgSteps >= 1, "interpretability.ig_steps", $"is {interp.IgSteps}; must be >= 1");
            Require(interp.SmoothgradSamples >= 1, "interpretability.smoothgrad_samples", $"is {interp.SmoothgradSamples}; must be >= 1");
            Require(interp.NoiseStd >= 0, "interpretability.noise_std", $"is {interp.NoiseStd}; must be >= 0");
        }
        foreach (var f in p.Figures.Intersect(["interpretability", "heatmaps"]))
        {
            Require(p.Interpretability != null, "interpretability", $"is required by figure '{f}' (images, heatmap_images, ig_steps, smoothgrad_samples, noise_std)");
            Require(p.Data.Scenes != null, "data.scenes", $"is required by figure '{f}' (its images and masks are the synthetic scenes')");
        }
        foreach (var f in p.Figures)
            Require(Figures.FigureCatalog.Names.Contains(f), "figures",
                $"names '{f}'; allowed values: {string.Join(", ", Figures.FigureCatalog.Names)}");
        if (p.Alignment is { } a) ValidateAlignment(p, a, Require);
        foreach (var figure in p.Figures.Select(Figures.FigureCatalog.Get).OfType<Figures.IAlignmentFigure>())
        {
            Require(p.Alignment != null, "alignment", $"is missing; figure '{figure.Name}' evaluates the model-vs-human sets it configures");
            var lacking = figure.RequiredDatasets.Except(p.Alignment!.Datasets).ToList();
            Require(lacking.Count == 0, "alignment.datasets", $"lacks {string.Join(", ", lacking)}, which figure '{figure.Name}' plots");
        }
        return p;
    }

    static void ValidateDiscoveryDatasets(Profile p, Action<bool, string, string> require)
    {
        var d = p.Discovery;
        var known = Figures.DiscoveryInputs.Names;
        require(d.Datasets.Count > 0, "discovery.datasets", $"must list at least one of: {string.Join(", ", known)}");
        foreach (var name in d.Datasets)
            require(known.Contains(name), "discovery.datasets", $"names '{name}'; allowed values: {string.Join(", ", known)}");
        require(d.Datasets.Distinct().Count() == d.Datasets.Count, "discovery.datasets", "lists a dataset twice");
        var synthetic = p.Data.Scenes != null;
        if (d.Datasets.Any(n => n.StartsWith("voc12")))
            require(d.Voc12Root != null || synthetic, "discovery.voc12_root", "is required for the voc12 datasets when the profile has no data.scenes to stand in");
        if (d.Datasets.Contains("voc07-trainval"))
            require(d.Voc07Root != null, "discovery.voc07_root", "is required for voc07-trainval (the synthetic scenes stand in for VOC2012 only)");
        if (d.Datasets.Contains("coco20k"))
            require(d.Coco20k != null || synthetic, "discovery.coco20k", "is required for coco20k when the profile has no data.scenes to stand in (images_root, file_list, annotations)");
    }

    static void ValidateAlignment(Profile p, AlignmentConfig a, Action<bool, string, string> require)
    {
        var names = Data.ModelVsHuman.ModelVsHumanDatasets.All.Select(d => d.Name).ToList();
        require(a.Datasets.Count > 0, "alignment.datasets", "must list at least one of the 17 datasets");
        foreach (var d in a.Datasets)
            require(names.Contains(d), "alignment.datasets", $"names '{d}'; allowed values: {string.Join(", ", names)}");
        var repeated = a.Datasets.GroupBy(d => d).FirstOrDefault(g => g.Count() > 1);
        require(repeated == null, "alignment.datasets", $"lists '{repeated?.Key}' more than once");
        require(a.ParametricImagesPerClass is null or >= 1, "alignment.parametric_images_per_class", $"is {a.ParametricImagesPerClass}; must be >= 1 (or empty for every image)");
        require(a.NonParametricImagesPerClass is null or >= 1, "alignment.non_parametric_images_per_class", $"is {a.NonParametricImagesPerClass}; must be >= 1 (or empty for every image)");
        require(a.EidolonPictureSize is >= 32 and <= 512, "alignment.eidolon_picture_size", $"is {a.EidolonPictureSize}; must be in 32..512 (benchmark: 256)");
        if (a.Source != AlignmentSource.Synthetic) return;
        require(p.Data.Kind == DataKind.Synthetic, "alignment.source",
            "is synthetic, which needs data.kind synthetic: the models must be trained on the synthetic classes the sets are drawn from");
        require(a.ParametricImagesPerClass != null && a.NonParametricImagesPerClass != null && a.Seed != null,
            "alignment.parametric_images_per_class/non_parametric_images_per_class/seed", "are required when alignment.source is synthetic (what to generate)");
        require(p.Data.Synthetic!.ImageSize % 2 == 0, "data.synthetic.image_size",
            $"is {p.Data.Synthetic.ImageSize}; the generated model-vs-human sets need an even side (phase scrambling)");
    }
}
