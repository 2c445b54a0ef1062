using System.Globalization;
using Repro.Config;

namespace Repro.Figures;

/// <summary>Lists, in words, where a profile departs from the paper's protocol (profiles/paper.yaml).</summary>
public static class Deviations
{
    public static List<string> Describe(Profile p, string repoRoot)
    {
        var paperPath = Path.Combine(ProfileLoader.ProfilesDirectory(repoRoot), "paper.yaml");
        if (p.Name == "paper" || !File.Exists(paperPath)) return Fidelity(p);
        var paper = ProfileLoader.Load(repoRoot, "paper");
        var list = new List<string>();
        void Differs<T>(string what, T ours, T theirs)
        {
            if (!EqualityComparer<T>.Default.Equals(ours, theirs))
                list.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: {ours} (paper: {theirs})"));
        }
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
        }
        var missing = paper.Models.Select(m => m.Architecture).Except(p.Models.Select(m => m.Architecture)).ToList();
        if (missing.Count > 0) list.Add($"models not run: {string.Join(", ", missing)}");
        if (p.Schedule.DenseEpochs is { } dense)
            list.Add($"dense model trained {dense} epochs, pruned models retrained {p.Schedule.Epochs} (paper: the same full schedule for every iteration)");
        Differs("batch size", p.Schedule.BatchSize, paper.Schedule.BatchSize);
        Differs("learning rate", p.Schedule.Lr, paper.Schedule.Lr);
        Differs("LR schedule", Schedule(p.Schedule), Schedule(paper.Schedule));
        Differs("train augmentation", p.Data.TrainAugmentation, paper.Data.TrainAugmentation);
        Differs("pruning rate", p.Pruning.Rate, paper.Pruning.Rate);
        Differs("pruned layers", p.Pruning.Layers, paper.Pruning.Layers);
        if (p.Interpretability is { } ours && paper.Interpretability is { } theirs)
        {
            Differs("interpretability images", p.Data.Kind == DataKind.Synthetic
                ? $"{ours.Images} synthetic VOC-layout scenes" : $"{ours.Images}", $"{theirs.Images} PASCAL VOC2012 segmentation images");
            Differs("interpretability split", ours.Split, theirs.Split);
            Differs("Grad-CAM layer", ours.GradCamLayer, theirs.GradCamLayer);
            Differs("Integrated Gradients steps (Gauss-Legendre)", ours.IgSteps, theirs.IgSteps);
            Differs("SmoothGrad samples", ours.SmoothgradSamples, theirs.SmoothgradSamples);
            Differs("SmoothGrad noise std", ours.NoiseStd, theirs.NoiseStd);
        }
        if (p.Schedule.TrainImagesPerEpoch != null) list.Add($"train images per epoch capped at {p.Schedule.TrainImagesPerEpoch}");
        list.AddRange(Fidelity(p));
        return list;
    }

    static string Schedule(ScheduleConfig s) => s.LrSchedule switch
    {
        LrScheduleKind.Step => string.Create(CultureInfo.InvariantCulture, $"step every {s.StepEpochs} epochs ×{s.Gamma}"),
        var k => k.ToString().ToLowerInvariant(),
    };

    static List<string> Fidelity(Profile p)
    {
        var list = new List<string>
        {
            "accuracy is measured over every validation image (the authors' script recorded the last batch's only: errata 6)",
            "every pruning iteration is retrained and checkpointed separately (the authors' schedule never retrained the last pruned model and overwrote checkpoints: errata 7)",
        };
        if (p.Interpretability == null) return list;
        list.Add("interpretability images are the first of the sorted id list (the authors' subset followed unsorted directory order: errata 2)");
        list.Add("SmoothGrad noise is seeded, the same at every pruning iteration (the authors' was unseeded: errata 8)");
        if (p.Models.Any(m => m.Architecture.StartsWith("vit")))
            list.Add("ViT attention maps are upsampled with height and width in place (the authors' resize swapped them: errata 3)");
        list.Add(p.Fidelity switch
        {
            Config.Fidelity.Paper => "interpretability ground truth: the authors' binarisation and averaging only (errata 1 and 2 reproduced)",
            Config.Fidelity.Corrected => "interpretability ground truth: corrected only (object = label not in {0, 255}; mean over the images scored)",
            _ => "interpretability ground truth: both the authors' binarisation and averaging (series '/paper') and the corrected ones (series '/corrected')",
        });
        return list;
    }
}
