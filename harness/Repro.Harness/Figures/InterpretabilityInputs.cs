using System.Globalization;
using Repro.Config;
using Repro.Data;
using Repro.Data.Synthetic;
using Repro.Data.Voc;
using Repro.Measurement.Attribution;
using Repro.Measurement.Localization;
using Repro.Models;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Figures;

/// <summary>One explained image at full resolution with its VOC label mask (0 background, 255 void).</summary>
public sealed record ExplainedImage(string Id, RgbImage Image, byte[] Labels)
{
    public int Height => Image.Height;
    public int Width => Image.Width;

    public ObjectMask Mask(Fidelity fidelity) => VocGroundTruth.Binarize(Labels, Height, Width, fidelity);
}

/// <summary>
/// What the interpretability and heatmaps figures share (experiment 1): the fixed image list, the methods per
/// architecture, the network input, and how per-image scores are averaged in each fidelity mode.
/// </summary>
public static class InterpretabilityInputs
{
    public static InterpretabilityConfig Config(Profile p) => p.Interpretability
        ?? throw new ConfigException($"profile '{p.Name}': the interpretability figures need an 'interpretability' section");

    /// <summary>The interpretability section's own checks, and, for a figure the profile lists, what it requires.</summary>
    public static void Validate(Profile p, string figure, bool listed, ProfileChecks checks)
    {
        if (p.Interpretability is { } interp)
        {
            checks.Require(interp.Images >= 1, "interpretability.images", $"is {interp.Images}; must be >= 1");
            checks.Require(interp.HeatmapImages >= 1 && interp.HeatmapImages <= interp.Images, "interpretability.heatmap_images",
                $"is {interp.HeatmapImages}; must be in 1..interpretability.images ({interp.Images})");
            checks.Require(interp.IgSteps >= 1, "interpretability.ig_steps", $"is {interp.IgSteps}; must be >= 1");
            checks.Require(interp.SmoothgradSamples >= 1, "interpretability.smoothgrad_samples", $"is {interp.SmoothgradSamples}; must be >= 1");
            checks.Require(interp.NoiseStd >= 0, "interpretability.noise_std", $"is {interp.NoiseStd}; must be >= 0");
        }
        if (!listed) return;
        checks.Require(p.Interpretability != null, "interpretability", $"is required by figure '{figure}' (images, heatmap_images, ig_steps, smoothgrad_samples, noise_std)");
        checks.Require(p.Data.Scenes != null, "data.scenes", $"is required by figure '{figure}' (its images and masks are the synthetic scenes')");
    }

    /// <summary>Where the experiment-1 settings depart from the paper's, and the errata this suite corrects.</summary>
    public static IEnumerable<string> Deviations(Profile p, Profile? paper)
    {
        var list = new List<string>();
        if (p.Interpretability is { } ours && paper?.Interpretability is { } theirs)
        {
            void Differs<T>(string what, T mine, T paperValue)
            {
                if (!EqualityComparer<T>.Default.Equals(mine, paperValue))
                    list.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: {mine} (paper: {paperValue})"));
            }
            Differs("interpretability images", p.Data.Kind == DataKind.Synthetic
                ? $"{ours.Images} synthetic VOC-layout scenes" : $"{ours.Images}", $"{theirs.Images} PASCAL VOC2012 segmentation images");
            Differs("interpretability split", ours.Split, theirs.Split);
            Differs("Grad-CAM layer", ours.GradCamLayer, theirs.GradCamLayer);
            Differs("Integrated Gradients steps (Gauss-Legendre)", ours.IgSteps, theirs.IgSteps);
            Differs("SmoothGrad samples", ours.SmoothgradSamples, theirs.SmoothgradSamples);
            Differs("SmoothGrad noise std", ours.NoiseStd, theirs.NoiseStd);
        }
        list.Add("interpretability images are the first of the sorted id list (the authors' subset followed unsorted directory order: errata 2)");
        list.Add("SmoothGrad noise is seeded, the same at every pruning iteration (the authors' was unseeded: errata 8)");
        if (p.Models.Any(m => m.Architecture.StartsWith("vit", StringComparison.Ordinal)))
            list.Add("ViT attention maps are upsampled with height and width in place (the authors' resize swapped them: errata 3)");
        list.AddRange(ArithmeticDeviations(p.Fidelity));
        list.Add(p.Fidelity switch
        {
            Fidelity.Paper => "interpretability ground truth: the authors' binarisation and averaging only (errata 1 and 2 reproduced)",
            Fidelity.Corrected => "interpretability ground truth: corrected only (object = label not in {0, 255}; mean over the images scored)",
            _ => "interpretability ground truth: both the authors' binarisation and averaging (series '/paper') and the corrected ones (series '/corrected')",
        });
        return list;
    }

    /// <summary>
    /// The experiment-1 arithmetic each fidelity mode uses where the authors' code and the suite's differ, one line per
    /// item: paper reproduces the authors', corrected gives the suite's choice and its reason.
    /// </summary>
    public static IEnumerable<string> ArithmeticDeviations(Fidelity fidelity)
    {
        (string Paper, string Corrected)[] items =
        [
            ("RRA ties: paper orders pixels as numpy's default argsort (unstable quicksort) does, as the authors did",
             "RRA ties: corrected splits ties at the K-th value by their expectation over every order (the authors' order is an accident of numpy's unstable sort)"),
            ("all-zero heatmap: paper scores RMA 0 (the authors add machine epsilon to the total relevance)",
             "all-zero heatmap: corrected scores RMA as a uniform heatmap, the object's share of the image (no relevance is chance, not failure)"),
            ("Guided Grad-CAM: paper multiplies guided backpropagation by Captum's unscaled, nearest-upsampled Grad-CAM, as the authors did",
             "Guided Grad-CAM: corrected multiplies guided backpropagation by the bilinear, min-max scaled Grad-CAM the Grad-CAM heatmap uses (one map, one scale, no upsampling blocks)"),
            ("ground-truth threshold: paper marks object where the float32 min-max scaled red channel is >= 0.5, as the authors did",
             "ground-truth threshold: corrected reads object = label not in {0, 255} (no red-channel threshold: errata 1)"),
        ];
        return fidelity switch
        {
            Fidelity.Paper => items.Select(i => i.Paper),
            Fidelity.Corrected => items.Select(i => i.Corrected),
            _ => items.SelectMany(i => new[] { i.Paper + " (series '/paper')", i.Corrected + " (series '/corrected')" }),
        };
    }

    public static AttributionSettings Settings(InterpretabilityConfig c) =>
        new(c.GradCamLayer, c.IgSteps, c.SmoothgradSamples, c.NoiseStd);

    /// <summary>The paper mode scores the authors' binarisation; <c>both</c> reports it next to the corrected one.</summary>
    public static IReadOnlyList<Fidelity> Fidelities(Profile p) =>
        p.Fidelity == Fidelity.Both ? [Fidelity.Paper, Fidelity.Corrected] : [p.Fidelity];

    /// <summary>SmoothGrad's noise seed: the same noise at every pruning iteration, so iterations differ by the model only.</summary>
    public static long NoiseSeed(Profile p) => Seeds.Derive(p.DataSeed, 0x5A00);

    /// <summary>
    /// The first <paramref name="count"/> images of the scenes' segmentation split, in sorted id order (the authors'
    /// subset followed unsorted directory order: errata 2). A listed image without its mask fails loading, naming the file.
    /// </summary>
    public static List<ExplainedImage> Images(RunContext context, int count)
    {
        var p = context.Profile;
        var dir = SyntheticScenes.Ensure(context.CacheRoot, Scenes(p), p.DataSeed, context.Log);
        return Listed(p, dir, count).Select(s => new ExplainedImage(s.Id, VocDataset.ReadImage(s), VocDataset.ReadMask(s).Indices)).ToList();
    }

    /// <summary>
    /// Before any training: the sections these figures need and, when the scenes are already generated, every image,
    /// annotation and mask of the split (as <see cref="Images"/> will read them). Adds each problem found.
    /// </summary>
    public static void Preflight(RunContext context, Func<InterpretabilityConfig, int> count, List<string> problems)
    {
        var p = context.Profile;
        try
        {
            var images = count(Config(p));
            if (SyntheticScenes.Generated(context.CacheRoot, Scenes(p), p.DataSeed) is { } dir) Listed(p, dir, images);
        }
        catch (Exception e) when (e is ConfigException or DataFileException) { problems.Add(e.Message); }
    }

    static SyntheticScenesConfig Scenes(Profile p) => p.Data.Scenes
        ?? throw new ConfigException($"profile '{p.Name}': the interpretability figures need data.scenes (synthetic VOC-layout scenes)");

    static List<VocSample> Listed(Profile p, string scenesDir, int count)
    {
        var config = Config(p);
        var samples = SyntheticScenes.OpenVoc(scenesDir, Scenes(p), config.Split, VocTask.Segmentation).Samples
            .OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        if (samples.Count < count)
            throw new ConfigException($"profile '{p.Name}': interpretability asks for {count} images but the scenes' segmentation split " +
                $"'{config.Split}' has {samples.Count}; lower interpretability.images or raise data.scenes.count");
        return samples.Take(count).ToList();
    }

    /// <summary>
    /// Fails before any training when Grad-CAM's layer is not in the architecture (a typo would otherwise surface
    /// after the whole trajectory).
    /// </summary>
    public static void CheckLayer(Trajectory trajectory, AttributionSettings settings)
    {
        if (!trajectory.Model.Architecture.StartsWith("resnet")) return;
        using var net = trajectory.NewModel();
        try { _ = new GradCam(net, settings.GradCamLayer); }
        catch (ArgumentException e) { throw new ConfigException($"interpretability.grad_cam_layer: {e.Message}"); }
    }

    /// <summary>The paper's methods for the model's architecture, with each fidelity's variant where they differ.</summary>
    public static IReadOnlyList<HeatmapMethod> Methods(nn.Module<Tensor, Tensor> net, ModelConfig model, AttributionSettings settings, long seed,
        IReadOnlyList<Fidelity>? fidelities = null) =>
        net switch
        {
            ResNet => HeatmapMethod.ForResNet(net, seed, settings, fidelities),
            VisionTransformer vit => HeatmapMethod.ForVisionTransformer(net, new VitAttention(vit), seed, settings),
            _ => throw new ConfigException($"{model.Key}: the paper explains ResNets and ViTs only; remove '{model.Architecture}' from the models of an interpretability profile"),
        };

    /// <summary>
    /// The normalised full-resolution image [1,3,H,W]; for a ViT zero-padded bottom/right (in normalised space) to a
    /// multiple of the patch size, as the authors did.
    /// </summary>
    public static Tensor Input(ExplainedImage image, nn.Module<Tensor, Tensor> net, Device device)
    {
        using var scope = NewDisposeScope();
        var x = ImageTransforms.Normalize(ImageTransforms.ToTensor(image.Image)).unsqueeze(0);
        if (net is VisionTransformer vit)
        {
            var patch = vit.PatchSize;
            long padBottom = (patch - image.Height % patch) % patch, padRight = (patch - image.Width % patch) % patch;
            x = nn.functional.pad(x, [0, padRight, 0, padBottom]);
        }
        return x.to(device).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The image average of one metric. Paper: the authors' sum over images divided by every image of the list,
    /// an image without object pixels adding 0 (errata 2). Corrected: the mean over the images actually scored.
    /// </summary>
    public static double Average(MetricSummary summary, Fidelity fidelity)
    {
        if (summary.Scored == 0)
            throw new InvalidOperationException(
                $"{summary.Metric}: none of the {summary.PerImage.Length} images has an object pixel in the {fidelity.ToString().ToLowerInvariant()} binarisation");
        return fidelity == Fidelity.Paper ? summary.Sum / summary.PerImage.Length : summary.Mean!.Value;
    }
}
