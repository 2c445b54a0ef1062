using Repro.Config;

namespace Repro.Figures;

/// <summary>Reads profiles/&lt;name&gt;.yaml and checks it: the settings every run reads here, each figure's own through <see cref="IFigure.Validate"/>.</summary>
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
        return LoadFile(path);
    }

    /// <summary>A profile file anywhere, read and checked; the name in it is what runs use, not the file's.</summary>
    public static Profile LoadFile(string path) =>
        File.Exists(path) ? Parse(File.ReadAllText(path), path) : throw new ConfigException($"{path}: file not found.");

    /// <summary>The profile as YAML that <see cref="Read"/> gives back: its own keys, then the sections figures own.</summary>
    public static string Write(Profile p) =>
        StrictYaml.Serializer.Serialize(p) + (p.Sections.Count == 0 ? "" : StrictYaml.Serializer.Serialize(new SortedDictionary<string, object>(p.Sections, StringComparer.Ordinal)));

    /// <summary>A profile's text, with the sections figures own (<see cref="IFigure.Section"/>), read and checked.</summary>
    public static Profile Parse(string text, string source) => Validate(Read(text, source), source);

    /// <summary>A profile's text read strictly (every key known, to the line), with the sections figures own; not yet validated.</summary>
    public static Profile Read(string text, string source)
    {
        var owned = FigureCatalog.All.Select(f => f.Section).OfType<ProfileSection>().ToDictionary(s => s.Key, s => s.Type);
        var sections = new Dictionary<string, object>();
        var profile = StrictYaml.Parse<Profile>(text, source, owned, sections);
        profile.Sections = sections;
        return profile;
    }

    public static Profile Validate(Profile p, string source)
    {
        var checks = new ProfileChecks(source);
        Action<bool, string, string> require = checks.Require;
        require(p.Models.Count > 0, "models", "must list at least one model");
        foreach (var (m, i) in p.Models.Select((m, i) => (m, i)))
        {
            require(m.Lr is null || (double.IsFinite(m.Lr.Value) && m.Lr > 0), $"models[{i}].lr",
                $"is {m.Lr}; the learning rate of {m.Architecture} must be a finite number > 0 (or leave the key out to use schedule.lr)");
            require(Models.ModelZoo.Architectures.Contains(m.Architecture), "models[].architecture",
                $"is '{m.Architecture}'; allowed values: {string.Join(", ", Models.ModelZoo.Architectures)}");
            require(m.Width > 0 && m.Width <= 4, "models[].width", $"is {m.Width}; must be in (0, 4]");
            require(p.IterationsFor(m) >= 0, "models[].iterations", "must be >= 0");
            var problem = Models.ModelZoo.Problem(m, p.Data.ImageSize);
            require(problem == null, "models[]", problem ?? "");
        }
        require(p.Pruning.Method != PruningMethod.Snip || p.Pruning.SnipSparsity is > 0 and < 1, "pruning.snip_sparsity",
            $"is {p.Pruning.SnipSparsity?.ToString() ?? "missing"}; method snip needs a target sparsity in (0, 1), e.g. 0.914");
        require(p.Pruning.ControlProblem == null, "pruning.control", p.Pruning.ControlProblem ?? "");
        require(p.Pruning.Rate > 0 && p.Pruning.Rate < 1, "pruning.rate", $"is {p.Pruning.Rate}; must be in (0, 1)");
        require(p.Pruning.Iterations >= 0, "pruning.iterations", "must be >= 0");
        require(p.Schedule.Epochs >= 1, "schedule.epochs", "must be >= 1");
        require(p.Schedule.BatchSize >= 1, "schedule.batch_size", $"is {p.Schedule.BatchSize}; must be >= 1 (training images per step)");
        require(p.Data.EvalBatchSize >= 1, "data.eval_batch_size", $"is {p.Data.EvalBatchSize}; must be >= 1 (images per evaluation batch)");
        require(double.IsFinite(p.Schedule.Lr) && p.Schedule.Lr > 0, "schedule.lr", $"is {p.Schedule.Lr}; the learning rate must be a finite number > 0");
        require(p.Data.ImageSize >= 16, "data.image_size", "must be >= 16");
        require(p.Data.ResizeSize >= p.Data.ImageSize, "data.resize_size", "must be >= data.image_size");
        require(p.Data.Kind != DataKind.Synthetic || p.Data.Synthetic != null, "data.synthetic",
            "is required when data.kind is synthetic");
        if (p.Data.Scenes is { } scenes)
        {
            require(scenes.Count >= 2, "data.scenes.count", $"is {scenes.Count}; must be >= 2 (a train and a val scene)");
            require(scenes.MinSide >= 32 && scenes.MaxSide >= scenes.MinSide, "data.scenes.min_side/max_side",
                $"are {scenes.MinSide}/{scenes.MaxSide}; need 32 <= min_side <= max_side");
            require(scenes.MaxObjects is >= 1 and <= 8, "data.scenes.max_objects", $"is {scenes.MaxObjects}; must be in 1..8");
            require(scenes.Classes >= 1 && scenes.Classes <= Data.Synthetic.ShapeClasses.Count, "data.scenes.classes",
                $"is {scenes.Classes}; must be in 1..{Data.Synthetic.ShapeClasses.Count}");
            require(scenes.MinObjectScale > 0 && scenes.MinObjectScale <= scenes.MaxObjectScale && scenes.MaxObjectScale <= 0.5, "data.scenes.min_object_scale",
                $"and max_object_scale are {scenes.MinObjectScale} and {scenes.MaxObjectScale}; need 0 < min <= max <= 0.5 (radius as a share of the shorter side)");
            require(scenes.ValFraction > 0 && scenes.ValFraction < 1, "data.scenes.val_fraction", $"is {scenes.ValFraction}; must be in (0, 1)");
        }
        foreach (var (architecture, t) in p.Plan?.EndToEnd ?? [])
        {
            require(Models.ModelZoo.Architectures.Contains(architecture), $"plan.end_to_end.{architecture}",
                $"names an unknown architecture; allowed values: {string.Join(", ", Models.ModelZoo.Architectures)}");
            require(double.IsFinite(t.ImagesPerSecond) && t.ImagesPerSecond > 0, $"plan.end_to_end.{architecture}.images_per_second",
                $"is {t.ImagesPerSecond}; must be a measured throughput > 0 (training images per second, data pipeline included)");
        }
        foreach (var f in p.Figures)
            require(FigureCatalog.Names.Contains(f), "figures", $"names '{f}'; allowed values: {string.Join(", ", FigureCatalog.Names)}");
        require(p.Figures.Distinct().Count() == p.Figures.Count, "figures", "lists a figure twice");
        // the listed figures first, in the profile's order, so the first problem reported is the one of the first figure it runs
        foreach (var figure in FigureCatalog.All.OrderBy(f => p.Figures.IndexOf(f.Name) is >= 0 and var i ? i : int.MaxValue))
            figure.Validate(p, p.Figures.Contains(figure.Name), checks);
        return p;
    }
}
