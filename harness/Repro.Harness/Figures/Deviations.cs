using System.Globalization;
using Repro.Config;

namespace Repro.Figures;

/// <summary>
/// Lists, in words, where a profile departs from the paper's protocol (profiles/paper.yaml) in what every figure
/// shares: data, models, training and pruning. Each figure adds its own (<see cref="IFigure.Deviations"/>). The paper
/// profile itself is compared with what the authors ran: what the suite does differently even there.
/// </summary>
public static class Deviations
{
    /// <summary>profiles/paper.yaml, the protocol others are compared with; null for the paper profile itself or where it is absent.</summary>
    public static Profile? PaperFor(Profile p, string repoRoot) =>
        p.Name == "paper" || !File.Exists(Path.Combine(ProfileLoader.ProfilesDirectory(repoRoot), "paper.yaml")) ? null : ProfileLoader.Load(repoRoot, "paper");

    /// <summary>
    /// The deviations every figure of <paramref name="p"/> shares. With <paramref name="paper"/> null (the paper profile,
    /// or no paper profile at hand) only what departs from the authors' run whatever the profile says: settings that
    /// never match the paper's, and the errata the suite corrects.
    /// </summary>
    public static List<string> Describe(Profile p, Profile? paper)
    {
        var list = new List<string>();
        void Differs<T>(string what, T ours, T theirs)
        {
            if (!EqualityComparer<T>.Default.Equals(ours, theirs))
                list.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: {ours} (paper: {theirs})"));
        }
        if (paper != null)
        {
            Differs("data", p.Data.Kind == DataKind.Synthetic
                ? $"synthetic ({p.Data.Synthetic!.Classes} classes, {p.Data.Synthetic.TrainPerClass} train images/class)"
                : "ImageFolder", "ImageNet-1k (ImageFolder)");
            Differs("input size", p.Data.ImageSize, paper.Data.ImageSize);
            foreach (var m in p.Models)
            {
                var pm = paper.Models.FirstOrDefault(x => x.Architecture == m.Architecture);
                if (pm == null) { list.Add($"{m.Architecture}: not in the paper's model list"); continue; }
                Differs($"{m.Architecture} width", m.Width, pm.Width);
                Differs($"{m.Architecture} pruning iterations", p.IterationsFor(m), paper.IterationsFor(pm));
                Differs($"{m.Architecture} epochs per iteration", p.EpochsFor(m), paper.EpochsFor(pm));
                Differs($"{m.Architecture} learning rate", p.LrFor(m), paper.LrFor(pm));
                // a model with its own recipe on either side is compared recipe to recipe; the others share the top-level lines below
                if (m.Schedule == null && pm.Schedule == null) continue;
                var (ours, theirs) = (p.ScheduleFor(m), paper.ScheduleFor(pm));
                Differs($"{m.Architecture} batch size", ours.BatchSize, theirs.BatchSize);
                Differs($"{m.Architecture} weight decay", ours.WeightDecay, theirs.WeightDecay);
                Differs($"{m.Architecture} LR schedule", Schedule(ours), Schedule(theirs));
            }
            var missing = paper.Models.Select(m => m.Architecture).Except(p.Models.Select(m => m.Architecture)).ToList();
            if (missing.Count > 0) list.Add($"models not run: {string.Join(", ", missing)}");
        }
        if (p.Schedule.DenseEpochs is { } dense)
            list.Add($"dense model trained {dense} epochs, pruned models retrained {p.Schedule.Epochs} (paper: the same full schedule for every iteration)");
        if (p.Schedule.RetrainLr is { } retrainLr)
            list.Add(string.Create(CultureInfo.InvariantCulture, $"pruned models retrained at peak learning rate {retrainLr} (paper: the dense schedule's)"));
        if (paper != null)
        {
            Differs("batch size", p.Schedule.BatchSize, paper.Schedule.BatchSize);
            Differs("learning rate", p.Schedule.Lr, paper.Schedule.Lr);
        }
        var perf = p.Performance;
        if (perf.Tf32 || perf.ChannelsLast || perf.DeviceTransforms)
            list.Add($"speed options ({perf.Describe()}): TF32 rounds float32 matmul and convolution inputs to 10-bit mantissas; the others change only the order of floating-point work");
        if (paper != null)
        {
            Differs("LR schedule", Schedule(p.Schedule), Schedule(paper.Schedule));
            Differs("train augmentation", p.Data.TrainAugmentation, paper.Data.TrainAugmentation);
            Differs("pruning rate", p.Pruning.Rate, paper.Pruning.Rate);
            Differs("pruned layers", p.Pruning.Layers, paper.Pruning.Layers);
        }
        if (p.Schedule.TrainImagesPerEpoch != null) list.Add($"train images per epoch capped at {p.Schedule.TrainImagesPerEpoch}");
        foreach (var m in p.Models.Where(m => m.Schedule is { TrainImagesPerEpoch: not null }))
            list.Add($"{m.Architecture}: train images per epoch capped at {m.Schedule!.TrainImagesPerEpoch}");
        list.AddRange(Errata());
        list.AddRange(RecipeNotImplemented(p));
        return list;
    }

    /// <summary>
    /// The recipe keys each model's schedule sets (<see cref="Profile.ScheduleFor"/>) that training does not implement,
    /// one line each: accepted in the profile so the authors' recipe can be written down, never silently dropped.
    /// </summary>
    public static List<string> RecipeNotImplemented(Profile p)
    {
        var list = new List<string>();
        foreach (var m in p.Models)
        {
            var s = p.ScheduleFor(m);
            void Missing(string key, string value, string instead) => list.Add($"schedule.{key} {value} ({m.Architecture}): not implemented, {instead}");
            if (s.AutoAugment is { } policy) Missing("auto_augment", StrictYaml.EnumNames(typeof(AutoAugmentPolicy))[(int)policy], "trained without it");
            if (s.Amp) Missing("amp", "true", "trained in float32 (TorchSharp 0.107 has no autocast)");
            if (s.Interpolation != ResizeInterpolation.Bilinear)
                Missing("interpolation", StrictYaml.EnumNames(typeof(ResizeInterpolation))[(int)s.Interpolation], "images resized bilinearly");
        }
        return list;
    }

    static string Schedule(ScheduleConfig s) => s.LrSchedule switch
    {
        LrScheduleKind.Step => string.Create(CultureInfo.InvariantCulture, $"step every {s.StepEpochs} epochs ×{s.Gamma}"),
        var k => k.ToString().ToLowerInvariant(),
    };

    static List<string> Errata() =>
    [
        "accuracy is measured over every validation image (the authors' script recorded the last batch's only: errata 6)",
        "every pruning iteration is retrained and checkpointed separately (the authors' schedule never retrained the last pruned model and overwrote checkpoints: errata 7)",
    ];

    /// <summary>
    /// Everything a run of <paramref name="p"/> departs from the paper in: the shared deviations, then each listed
    /// figure's own, prefixed with the figure's name (what the plan view lists before anything runs).
    /// </summary>
    public static List<string> All(Profile p, Profile? paper) =>
    [
        .. Describe(p, paper),
        .. FigureCatalog.Of(p).SelectMany(f => f.Deviations(p, paper).Select(d => $"{f.Name}: {d}")),
    ];
}
