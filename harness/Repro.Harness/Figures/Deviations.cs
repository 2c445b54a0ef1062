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
            Differs($"{m.Architecture} learning rate", p.LrFor(m), paper.LrFor(pm));
        }
        var missing = paper.Models.Select(m => m.Architecture).Except(p.Models.Select(m => m.Architecture)).ToList();
        if (missing.Count > 0) list.Add($"models not run: {string.Join(", ", missing)}");
        if (p.Schedule.DenseEpochs is { } dense)
            list.Add($"dense model trained {dense} epochs, pruned models retrained {p.Schedule.Epochs} (paper: the same full schedule for every iteration)");
        Differs("batch size", p.Schedule.BatchSize, paper.Schedule.BatchSize);
        Differs("learning rate", p.Schedule.Lr, paper.Schedule.Lr);
        var perf = p.Performance;
        if (perf.Tf32 || perf.ChannelsLast || perf.DeviceTransforms)
            list.Add($"speed options ({perf.Describe()}): TF32 rounds float32 matmul and convolution inputs to 10-bit mantissas; the others change only the order of floating-point work");
        Differs("LR schedule", Schedule(p.Schedule), Schedule(paper.Schedule));
        Differs("train augmentation", p.Data.TrainAugmentation, paper.Data.TrainAugmentation);
        Differs("pruning rate", p.Pruning.Rate, paper.Pruning.Rate);
        Differs("pruned layers", p.Pruning.Layers, paper.Pruning.Layers);
        Differs("LOST k (patches that may join the seed)", p.Discovery.KPatches, paper.Discovery.KPatches);
        if (p.Discovery.Stride != 32 && p.Fidelity != Config.Fidelity.Paper)
            list.Add($"LOST on ResNet features at stride {p.Discovery.Stride} (dilated layers; the paper's runs were at 32 whatever their option said: errata 5)");
        if (p.Figures.Contains("object-discovery"))
        {
            var synthetic = p.Discovery.Datasets.Where(n => !DiscoveryInputs.HasRealSource(p.Discovery, n)).ToList();
            if (synthetic.Count > 0)
                list.Add($"object discovery: the synthetic scenes stand in for {string.Join(", ", synthetic)} (paper: the real benchmarks)");
            var skipped = paper.Discovery.Datasets.Except(p.Discovery.Datasets).ToList();
            if (skipped.Count > 0) list.Add($"object-discovery datasets not evaluated: {string.Join(", ", skipped)}");
            Differs("LOST no-hard variant", p.Discovery.NoHard, paper.Discovery.NoHard);
        }
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
        if (p.Alignment is { } a && paper.Alignment is { } pa)
        {
            Differs("model-vs-human sets", Source(p, a), Source(paper, pa));
            var skipped = pa.Datasets.Except(a.Datasets).ToList();
            if (skipped.Count > 0) list.Add($"model-vs-human datasets not evaluated: {string.Join(", ", skipped)}");
            Differs("model-vs-human images per class and condition (parametric sets)", Count(a.ParametricImagesPerClass), Count(pa.ParametricImagesPerClass));
            Differs("model-vs-human images per class (non-parametric sets)", Count(a.NonParametricImagesPerClass), Count(pa.NonParametricImagesPerClass));
            if (a.Source == AlignmentSource.Synthetic)
            {
                if (a.EidolonPictureSize != pa.EidolonPictureSize)
                    list.Add($"eidolons computed at a {a.EidolonPictureSize}-px working size with reach and grain scaled by {a.EidolonPictureSize}/{pa.EidolonPictureSize} (benchmark: {pa.EidolonPictureSize} px)");
                list.Add("no human raw data for the synthetic sets: accuracy difference, observed and error consistency are measured against each trajectory's dense model, not human observers (not human alignment)");
                if (a.Datasets.Contains("false-colour"))
                    list.Add($"false colour converts through a {Measurement.Alignment.Distortions.FalseColour.ApproximateDisplayGamma} power-law display gamma instead of the lab monitor's measured table (an approximation)");
            }
        }
        list.AddRange(Fidelity(p));
        return list;
    }

    static string Schedule(ScheduleConfig s) => s.LrSchedule switch
    {
        LrScheduleKind.Step => string.Create(CultureInfo.InvariantCulture, $"step every {s.StepEpochs} epochs ×{s.Gamma}"),
        var k => k.ToString().ToLowerInvariant(),
    };

    static string Source(Profile p, AlignmentConfig a) => a.Source == AlignmentSource.Synthetic
        ? $"generated from the synthetic classes ({p.Data.Synthetic?.Classes} categories) in the benchmark's layout"
        : "the benchmark's release (16 categories, ImageNet models' 16-category decision rule)";

    static string Count(int? perClass) => perClass?.ToString(CultureInfo.InvariantCulture) ?? "every image";

    static List<string> Fidelity(Profile p)
    {
        var list = new List<string>
        {
            "accuracy is measured over every validation image (the authors' script recorded the last batch's only: errata 6)",
            "every pruning iteration is retrained and checkpointed separately (the authors' schedule never retrained the last pruned model and overwrote checkpoints: errata 7)",
        };
        if (p.Figures.Contains("object-discovery"))
        {
            list.Add("LOST's per-image boxes are kept for every pruning iteration (the authors' were overwritten); ties in its degree order go to the lowest patch index (the reference's sort is unstable)");
            if (p.Models.Any(m => m.Architecture.StartsWith("vit")))
                list.Add("LOST on ViT reads the pruned model's own last-block keys in every fidelity (the authors' run never loaded the pruned checkpoint and took the block's normalised input in scrambled token order: errata 4 is not reproduced)");
        }
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
