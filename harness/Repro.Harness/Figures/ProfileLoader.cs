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
            if (m.Schedule != null) ValidateSchedule(m.Schedule, $"models[{i}].schedule", require);
            // Warm-up is part of every training run, the shortest included (the dense one or a retraining).
            var schedule = p.ScheduleFor(m);
            var shortest = Math.Min(p.EpochsFor(m, 0), p.EpochsFor(m, 1));
            require(schedule.WarmupEpochs == 0 || schedule.WarmupEpochs < shortest, m.Schedule != null ? $"models[{i}].schedule.warmup_epochs" : "schedule.warmup_epochs",
                $"is {schedule.WarmupEpochs}, but {m.Architecture} trains runs of {shortest} epochs; warm-up must end before the main schedule starts: " +
                "set it below every run's epochs, or to 0");
        }
        require(p.Pruning.Method != PruningMethod.Snip || p.Pruning.SnipSparsity is > 0 and < 1, "pruning.snip_sparsity",
            $"is {p.Pruning.SnipSparsity?.ToString() ?? "missing"}; method snip needs a target sparsity in (0, 1), e.g. 0.914");
        require(p.Pruning.ControlProblem == null, "pruning.control", p.Pruning.ControlProblem ?? "");
        require(p.Pruning.Rate > 0 && p.Pruning.Rate < 1, "pruning.rate", $"is {p.Pruning.Rate}; must be in (0, 1)");
        require(p.Pruning.Iterations >= 0, "pruning.iterations", "must be >= 0");
        ValidateSchedule(p.Schedule, "schedule", require);
        require(p.Data.EvalBatchSize >= 1, "data.eval_batch_size", $"is {p.Data.EvalBatchSize}; must be >= 1 (images per evaluation batch)");
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
        ValidateScheduler(p.Scheduler, require);
        foreach (var f in p.Figures)
            require(FigureCatalog.Names.Contains(f), "figures", $"names '{f}'; allowed values: {string.Join(", ", FigureCatalog.Names)}");
        require(p.Figures.Distinct().Count() == p.Figures.Count, "figures", "lists a figure twice");
        // the listed figures first, in the profile's order, so the first problem reported is the one of the first figure it runs
        foreach (var figure in FigureCatalog.All.OrderBy(f => p.Figures.IndexOf(f.Name) is >= 0 and var i ? i : int.MaxValue))
            figure.Validate(p, p.Figures.Contains(figure.Name), checks);
        return p;
    }

    /// <summary>The checks of one training recipe: the top-level <c>schedule</c>, or a model's own at <paramref name="at"/>.</summary>
    static void ValidateScheduler(SchedulerConfig s, Action<bool, string, string> require)
    {
        require(s.CheckpointEveryEpochs >= 1, "scheduler.checkpoint_every_epochs", $"is {s.CheckpointEveryEpochs}; must be >= 1 (epochs between checkpoints inside an iteration)");
        require(s.Seeds is null || (s.Seeds.Count > 0 && s.Seeds.Distinct().Count() == s.Seeds.Count), "scheduler.seeds", "must list at least one seed, each once (or leave the key out: the profile's seed)");
        require(s.SignalSeconds is >= 0 and <= 65535, "scheduler.signal_seconds", $"is {s.SignalSeconds}; must be in 0..65535 (seconds before the time limit)");
        require(s.MaxConcurrent is null or >= 1, "scheduler.max_concurrent", $"is {s.MaxConcurrent}; must be >= 1 (or leave it out: no limit)");
        foreach (var (name, r) in new[] { ("train", s.Train), ("measure", s.Measure), ("report", s.Report) })
        {
            var at = $"scheduler.{name}";
            require(r.Gpus >= 0, $"{at}.gpus", $"is {r.Gpus}; must be >= 0");
            require(r.Cpus >= 1, $"{at}.cpus", $"is {r.Cpus}; must be >= 1");
            require(System.Text.RegularExpressions.Regex.IsMatch(r.Memory, "^[0-9]+[KMGT]?$"), $"{at}.memory", $"is '{r.Memory}'; Slurm's form is a number with K, M, G or T, e.g. 32G");
            require(System.Text.RegularExpressions.Regex.IsMatch(r.Time, "^([0-9]+|([0-9]+-)?[0-9]{1,2}:[0-9]{2}:[0-9]{2})$"), $"{at}.time",
                $"is '{r.Time}'; Slurm's form is minutes, HH:MM:SS or D-HH:MM:SS, e.g. 2-00:00:00");
        }
    }

    static void ValidateSchedule(ScheduleConfig s, string at, Action<bool, string, string> require)
    {
        static bool Rate(double x) => double.IsFinite(x) && x >= 0;
        require(s.Epochs >= 1, $"{at}.epochs", "must be >= 1");
        require(s.BatchSize >= 1, $"{at}.batch_size", $"is {s.BatchSize}; must be >= 1 (training images per step)");
        require(double.IsFinite(s.Lr) && s.Lr > 0, $"{at}.lr", $"is {s.Lr}; the learning rate must be a finite number > 0");
        require(s.StepEpochs >= 1, $"{at}.step_epochs", $"is {s.StepEpochs}; must be >= 1 (epochs between the step schedule's decays)");
        require(Rate(s.WeightDecay), $"{at}.weight_decay", $"is {s.WeightDecay}; must be a finite number >= 0");
        foreach (var (key, value) in new[] { ("norm_weight_decay", s.NormWeightDecay), ("bias_weight_decay", s.BiasWeightDecay), ("transformer_embedding_decay", s.TransformerEmbeddingDecay) })
            require(value is null || Rate(value.Value), $"{at}.{key}", $"is {value}; must be a finite number >= 0, or empty to use weight_decay");
        require(Rate(s.LrMin) && s.LrMin < s.Lr, $"{at}.lr_min", $"is {s.LrMin}; the cosine schedule's floor must be >= 0 and below lr ({s.Lr})");
        require(s.WarmupEpochs >= 0, $"{at}.warmup_epochs", $"is {s.WarmupEpochs}; must be >= 0 (0 = no warm-up)");
        require(s.WarmupDecay > 0 && s.WarmupDecay <= 1, $"{at}.warmup_decay", $"is {s.WarmupDecay}; the warm-up's share of lr must be in (0, 1]");
        require(s.LabelSmoothing is >= 0 and < 1, $"{at}.label_smoothing", $"is {s.LabelSmoothing}; must be in [0, 1)");
        require(Rate(s.MixupAlpha), $"{at}.mixup_alpha", $"is {s.MixupAlpha}; must be >= 0 (0 = no mixup)");
        require(Rate(s.CutmixAlpha), $"{at}.cutmix_alpha", $"is {s.CutmixAlpha}; must be >= 0 (0 = no cutmix)");
        require(s.ClipGradNorm is null || (double.IsFinite(s.ClipGradNorm.Value) && s.ClipGradNorm > 0), $"{at}.clip_grad_norm",
            $"is {s.ClipGradNorm}; the largest gradient norm must be > 0, or empty for no clipping");
        require(s.RandomErase is >= 0 and <= 1, $"{at}.random_erase", $"is {s.RandomErase}; the probability must be in [0, 1]");
        require(s.RaReps >= 1, $"{at}.ra_reps", $"is {s.RaReps}; must be >= 1 (repetitions of each image per epoch)");
        require(s.ModelEmaSteps >= 1, $"{at}.model_ema_steps", $"is {s.ModelEmaSteps}; must be >= 1 (optimizer steps between updates of the average)");
        require(s.ModelEmaDecay is > 0 and < 1, $"{at}.model_ema_decay", $"is {s.ModelEmaDecay}; must be in (0, 1)");
    }
}
