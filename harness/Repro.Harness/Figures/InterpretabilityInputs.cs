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
        checks.Require(p.Data.Scenes != null || p.Interpretability?.Voc12Root != null, "data.scenes",
            $"is required by figure '{figure}' unless interpretability.voc12_root is set (without VOC2012, its images and masks are the synthetic scenes')");
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
            Differs("interpretability images", ours.Voc12Root != null
                ? $"{ours.Images} PASCAL VOC2012 segmentation images" : $"{ours.Images} synthetic VOC-layout scenes", $"{theirs.Images} PASCAL VOC2012 segmentation images");
            Differs("interpretability split", ours.Split, theirs.Split);
            Differs("Integrated Gradients steps (Gauss-Legendre)", ours.IgSteps, theirs.IgSteps);
            Differs("SmoothGrad samples", ours.SmoothgradSamples, theirs.SmoothgradSamples);
            Differs("SmoothGrad noise std", ours.NoiseStd, theirs.NoiseStd);
        }
        if (p.Interpretability is { } config)
            foreach (var m in p.Models.Where(m => ModelZoo.IsResNet(m.Architecture)))
                if (GradCamLayer(config, m) is var layer && layer != LastLayer4Block(m))
                    list.Add($"Grad-CAM layer of {m.Key}: {layer} (paper: {LastLayer4Block(m)}, the last block of layer4)");
        list.Add("interpretability images are the first of the sorted id list (the authors' subset followed unsorted directory order: errata 2)");
        list.Add("SmoothGrad noise is seeded, the same at every pruning iteration (the authors' was unseeded: errata 8)");
        if (p.Models.Any(m => m.Architecture.StartsWith("vit", StringComparison.Ordinal)))
        {
            list.Add("ViT attention maps are upsampled with height and width in place (the authors' resize swapped them: errata 3)");
            if (p.Fidelity == Fidelity.Corrected) list.Add(ObjectDiscoveryFigure.VitResamplingDeviation);
        }
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
    /// Where the experiment-1 arithmetic of a fidelity mode departs from the authors' code, one line per item: paper
    /// reproduces the four items, so it lists only what it does not reproduce (<see cref="NotReproduced"/>); corrected
    /// gives the suite's choice and its reason; both lists the corrected ones for the '/corrected' series.
    /// </summary>
    public static IEnumerable<string> ArithmeticDeviations(Fidelity fidelity)
    {
        string[] corrected =
        [
            "RRA ties: corrected splits ties at the K-th value by their expectation over every order (the authors' order is an accident of numpy's unstable sort)",
            "all-zero heatmap: corrected scores RMA as a uniform heatmap, the object's share of the image (no relevance is chance, not failure)",
            "Guided Grad-CAM: corrected multiplies guided backpropagation by the bilinear, min-max scaled Grad-CAM the Grad-CAM heatmap uses (one map, one scale, no upsampling blocks)",
            "ground-truth threshold: corrected reads object = label not in {0, 255} (no red-channel threshold: errata 1)",
        ];
        return fidelity switch
        {
            Fidelity.Paper => NotReproduced,
            Fidelity.Corrected => corrected.Concat(NotReproduced),
            _ => corrected.Select(line => line + " (series '/corrected')").Concat(NotReproduced),
        };
    }

    /// <summary>The authors' experiment-1 arithmetic that no fidelity mode reproduces.</summary>
    public static readonly string[] NotReproduced =
    [
        "Grad-CAM is the suite's (ReLU of the gradient-weighted channel sum, bilinear upsampling, one min-max scaling), not pytorch_grad_cam's, and its map is scored without the authors' second float64 min-max scaling with machine epsilon",
        "RRA ties follow numpy's scalar introsort (numpy 1.24); numpy 1.25 and later sort with SIMD code on AVX-512 CPUs, whose tie order the authors' unrecorded numpy version and CPU may have used",
    ];

    /// <summary>The attribution settings for <paramref name="model"/>: Grad-CAM's layer resolved for a ResNet (ViTs have no Grad-CAM).</summary>
    public static AttributionSettings Settings(InterpretabilityConfig c, ModelConfig model)
    {
        var settings = new AttributionSettings(IgSteps: c.IgSteps, SmoothGradSamples: c.SmoothgradSamples, NoiseStd: c.NoiseStd);
        return ModelZoo.IsResNet(model.Architecture) ? settings with { GradCamLayer = GradCamLayer(c, model) } : settings;
    }

    /// <summary>Grad-CAM's layer for a ResNet: interpretability.grad_cam_layer when set, else the paper's, the last block of its layer4.</summary>
    public static string GradCamLayer(InterpretabilityConfig c, ModelConfig resnet) => c.GradCamLayer ?? LastLayer4Block(resnet);

    /// <summary>The last block of the ResNet's layer4 as named_modules() names it (resnet18 layer4.1, resnet50 layer4.2; custom depths their own).</summary>
    public static string LastLayer4Block(ModelConfig resnet) =>
        string.Create(CultureInfo.InvariantCulture, $"layer4.{ModelZoo.ResNetDepths(resnet)[3] - 1}");

    /// <summary>The paper mode scores the authors' binarisation; <c>both</c> reports it next to the corrected one.</summary>
    public static IReadOnlyList<Fidelity> Fidelities(Profile p) =>
        p.Fidelity == Fidelity.Both ? [Fidelity.Paper, Fidelity.Corrected] : [p.Fidelity];

    /// <summary>SmoothGrad's noise seed: the same noise at every pruning iteration, so iterations differ by the model only.</summary>
    public static long NoiseSeed(Profile p) => Seeds.Derive(p.DataSeed, 0x5A00);

    /// <summary>
    /// The first <paramref name="count"/> images of the segmentation split, in sorted id order (the authors' subset
    /// followed unsorted directory order: errata 2): VOC2012's own when interpretability.voc12_root is set, else the
    /// synthetic scenes', both read by the VOC loader. A listed image without its mask fails loading, naming the file.
    /// </summary>
    public static List<ExplainedImage> Images(RunContext context, int count) =>
        Listed(context.Profile, Source(context, generate: true)!, count)
            .Select(s => new ExplainedImage(s.Id, VocDataset.ReadImage(s), VocDataset.ReadMask(s).Indices)).ToList();

    /// <summary>
    /// Before any training: the sections these figures need and, for VOC2012 or scenes already generated, every image,
    /// annotation and mask of the split (as <see cref="Images"/> will read them). Adds each problem found.
    /// </summary>
    public static void Preflight(RunContext context, Func<InterpretabilityConfig, int> count, List<string> problems)
    {
        try
        {
            var images = count(Config(context.Profile));
            if (Source(context, generate: false) is { } source) Listed(context.Profile, source, images);
        }
        catch (Exception e) when (e is ConfigException or DataFileException) { problems.Add(e.Message); }
    }

    /// <summary>
    /// The VOC2012 folder interpretability.voc12_root names (resolved under the data root as discovery's roots are),
    /// checked for the split list and the folders experiment 1 reads; a missing one is named with what to do.
    /// </summary>
    public static string Voc12Folder(RunContext context, InterpretabilityConfig config)
    {
        var given = config.Voc12Root ?? throw new InvalidOperationException("interpretability.voc12_root is not set");
        var path = DiscoveryInputs.Resolve(given, context, "interpretability.voc12_root");
        var where = Path.IsPathRooted(given) ? "" : $" under the data root {DiscoveryInputs.DataRoot(context)}";
        var fix = Path.IsPathRooted(given)
            ? "set interpretability.voc12_root to the VOC2012 folder of the devkit (VOCdevkit/VOC2012)"
            : $"pass -p:DataRoot=/path (the folder holding {given}), or set interpretability.voc12_root to VOC2012's path under the data root";
        var expected = $"{given.TrimEnd('/')}/ImageSets/Segmentation/{config.Split}.txt";
        var found = VocDataset.FindRoot(path, "2012");
        if (found == null)
            throw new ConfigException($"interpretability.voc12_root: expected {expected}{where}, but {path} " +
                $"{(Directory.Exists(path) ? "holds no ImageSets/ folder" : "does not exist")}; {fix}");
        if (!File.Exists(Path.Combine(found, "ImageSets", "Segmentation", config.Split + ".txt")))
            throw new ConfigException($"interpretability.voc12_root: expected {expected}{where}, but {found}/ImageSets/Segmentation/ " +
                $"has no {config.Split}.txt; set interpretability.split to a split it lists, or {fix}");
        foreach (var folder in new[] { "JPEGImages", "SegmentationClass", "Annotations" })
            if (!Directory.Exists(Path.Combine(found, folder)))
                throw new ConfigException($"interpretability.voc12_root: expected {given.TrimEnd('/')}/{folder}/{where}, but {found} has no {folder}/ folder; " +
                    $"extract the whole VOC2012 archive there, or {fix}");
        return found;
    }

    /// <summary>
    /// The segmentation split the images come from: VOC2012's when interpretability.voc12_root is set, else the synthetic
    /// scenes' (generated first when <paramref name="generate"/>; null when they are not generated yet).
    /// </summary>
    static VocDataset? Source(RunContext context, bool generate)
    {
        var p = context.Profile;
        var config = Config(p);
        if (config.Voc12Root != null)
            return VocDataset.Open(new VocOptions { Root = Voc12Folder(context, config), Split = config.Split, Task = VocTask.Segmentation });
        var scenes = Scenes(p);
        var dir = generate ? SyntheticScenes.Ensure(context.CacheRoot, scenes, p.DataSeed, context.Log)
            : SyntheticScenes.Generated(context.CacheRoot, scenes, p.DataSeed);
        return dir == null ? null : SyntheticScenes.OpenVoc(dir, scenes, config.Split, VocTask.Segmentation);
    }

    static SyntheticScenesConfig Scenes(Profile p) => p.Data.Scenes
        ?? throw new ConfigException($"profile '{p.Name}': the interpretability figures need data.scenes (synthetic VOC-layout scenes) or interpretability.voc12_root");

    static List<VocSample> Listed(Profile p, VocDataset source, int count)
    {
        var config = Config(p);
        var samples = source.Samples.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
        if (samples.Count < count)
            throw new ConfigException(config.Voc12Root != null
                ? $"profile '{p.Name}': interpretability asks for {count} images but VOC2012's segmentation split '{config.Split}' ({source.Root}) " +
                  $"has {samples.Count}; lower interpretability.images"
                : $"profile '{p.Name}': interpretability asks for {count} images but the scenes' segmentation split " +
                  $"'{config.Split}' has {samples.Count}; lower interpretability.images or raise data.scenes.count");
        return samples.Take(count).ToList();
    }

    /// <summary>
    /// Fails before any training when Grad-CAM's layer is not in the architecture (a typo would otherwise surface
    /// after the whole trajectory).
    /// </summary>
    public static void CheckLayer(Trajectory trajectory, AttributionSettings settings)
    {
        if (!ModelZoo.IsResNet(trajectory.Model.Architecture)) return;
        using var net = trajectory.NewModel();
        try { _ = new GradCam(net, settings.GradCamLayer); }
        catch (ArgumentException e) { throw new ConfigException($"interpretability.grad_cam_layer: {e.Message}"); }
    }

    /// <summary>
    /// The paper's methods for the model's architecture, with each fidelity's variant where they differ. A ViT's position
    /// embeddings are resampled to each padded image's grid as torchvision's interpolate_embeddings does unless only
    /// corrected runs (one forward pass serves both modes, as for LOST).
    /// </summary>
    public static IReadOnlyList<HeatmapMethod> Methods(nn.Module<Tensor, Tensor> net, ModelConfig model, AttributionSettings settings, long seed,
        IReadOnlyList<Fidelity>? fidelities = null)
    {
        switch (net)
        {
            case ResNet:
                return HeatmapMethod.ForResNet(net, seed, settings, fidelities);
            case VisionTransformer vit:
                vit.Resampling = ObjectDiscoveryFigure.ResamplingFor(fidelities is [Fidelity.Corrected] ? Fidelity.Corrected : Fidelity.Paper);
                return HeatmapMethod.ForVisionTransformer(net, new VitAttention(vit), seed, settings);
            default:
                throw new ConfigException($"{model.Key}: the paper explains ResNets and ViTs only; remove '{model.Architecture}' from the models of an interpretability profile");
        }
    }

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
