using Repro.Config;
using static TorchSharp.torch;

namespace Repro.Models;

/// <summary>The architectures a profile can name, built by name (torchvision's geometry at width 1).</summary>
public static class ModelZoo
{
    public static readonly IReadOnlyList<string> Architectures = ["resnet18", "resnet50", "vit_b_32", "vit_b_16", "vit_s_16", "swin_v2_t"];

    /// <summary>Forward GFLOPs at 224 px (torchvision's figures; ViT-S/16 from DINO), used to scale measured throughputs in the plan view.</summary>
    public static readonly IReadOnlyDictionary<string, double> GigaFlops224 = new Dictionary<string, double>
    {
        ["resnet18"] = 1.81, ["resnet50"] = 4.09, ["vit_b_32"] = 4.41, ["vit_b_16"] = 17.56, ["vit_s_16"] = 4.61, ["swin_v2_t"] = 5.94,
    };

    sealed record ViTGeometry(int Patch, int Layers, int Heads, int Hidden);

    static readonly Dictionary<string, ViTGeometry> ViTs = new()
    {
        ["vit_b_32"] = new(32, 12, 12, 768),
        ["vit_b_16"] = new(16, 12, 12, 768),
        ["vit_s_16"] = new(16, 12, 6, 384),
    };

    public static bool IsResNet(string a) => a is "resnet18" or "resnet50";

    /// <summary>
    /// Builds the model for <paramref name="imageSize"/>-pixel inputs (ViT position embeddings are made for that
    /// grid; other architectures ignore it). Throws <see cref="ConfigException"/> when a knob does not fit.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Create(ModelConfig config, int numClasses, int imageSize = 224)
    {
        if (Problem(config, imageSize) is { } problem) throw new ConfigException(problem);
        var width = config.Width;
        switch (config.Architecture)
        {
            case "resnet18":
            case "resnet50":
                return new ResNet(config.Architecture, config.Architecture == "resnet50", ResNetDepths(config), numClasses, width, config.Dilation?.ToArray());
            case "swin_v2_t":
                var embed = Math.Max(3, (int)Math.Round(96 * width / 3) * 3);
                return new SwinTransformerV2("swin_v2_t", config.PatchSize ?? 4, embed, config.Depths ?? [2, 2, 6, 2],
                    windowSize: 8, stochasticDepthProb: 0.2, numClasses);
            default:
                var g = ViTs[config.Architecture];
                var hidden = Math.Max(g.Heads, (int)Math.Round(g.Hidden * width / g.Heads) * g.Heads);
                return new VisionTransformer(config.Architecture, imageSize, config.PatchSize ?? g.Patch,
                    config.Depths?[0] ?? g.Layers, g.Heads, hidden, 4 * hidden, numClasses);
        }
    }

    /// <summary>Blocks per stage (layer1..layer4) of a ResNet: the profile's depths, else torchvision's.</summary>
    public static int[] ResNetDepths(ModelConfig config) =>
        IsResNet(config.Architecture)
            ? config.Depths?.ToArray() ?? (config.Architecture == "resnet50" ? [3, 4, 6, 3] : [2, 2, 2, 2])
            : throw new ArgumentException($"{config.Architecture} is not a ResNet", nameof(config));

    /// <summary>Why <paramref name="config"/> cannot be built for <paramref name="imageSize"/>-pixel inputs, or null.</summary>
    public static string? Problem(ModelConfig config, int imageSize)
    {
        var a = config.Architecture;
        if (!Architectures.Contains(a))
            return $"unknown architecture '{a}'; allowed values: {string.Join(", ", Architectures)}";
        if (config.Dilation is { } dilation && (!IsResNet(a) || dilation.Count != 3))
            return IsResNet(a)
                ? $"{a}: dilation has {dilation.Count} entries; give 3 (layer2, layer3, layer4), e.g. [false, false, true]"
                : $"{a}: dilation applies to ResNets only; remove it";
        if (config.PatchSize is { } patch)
        {
            if (IsResNet(a)) return $"{a}: patch_size applies to ViT and Swin only; remove it";
            if (patch < 1) return $"{a}: patch_size is {patch}; must be >= 1";
        }
        if (ViTs.TryGetValue(a, out var g) && imageSize % (config.PatchSize ?? g.Patch) != 0)
            return $"{a}: data.image_size {imageSize} is not a multiple of the patch size {config.PatchSize ?? g.Patch}; " +
                   "set models[].patch_size to a divisor of it";
        if (config.Depths is { } depths)
        {
            var (min, max) = IsResNet(a) ? (4, 4) : a == "swin_v2_t" ? (1, 4) : (1, 1);
            if (depths.Count < min || depths.Count > max || depths.Any(d => d < 1))
                return $"{a}: depths is [{string.Join(", ", depths)}]; give " +
                       (min == max ? $"{min} entr{(min == 1 ? "y" : "ies")}" : $"{min} to {max} entries") + ", each >= 1";
        }
        return null;
    }
}
