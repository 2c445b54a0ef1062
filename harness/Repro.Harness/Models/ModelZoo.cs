using Repro.Config;
using static TorchSharp.torch;

namespace Repro.Models;

/// <summary>The architectures a profile can name, built by name.</summary>
public static class ModelZoo
{
    public static readonly IReadOnlyList<string> Architectures = ["resnet18", "resnet50"];

    /// <summary>torchvision's forward GFLOPs at 224 px, used to scale measured throughputs in the plan view.</summary>
    public static readonly IReadOnlyDictionary<string, double> GigaFlops224 = new Dictionary<string, double>
    {
        ["resnet18"] = 1.81, ["resnet50"] = 4.09, ["vit_b_32"] = 4.41, ["swin_v2_t"] = 5.94,
    };

    /// <summary>
    /// Narrowest ResNet width: libtorch 2.10's CPU convolution backward with fewer than 16 channels
    /// returned NaN gradients intermittently under 2 intra-op threads (measured here: 2-12 of 100 runs
    /// at 8 and 12 channels, none at 16+), so layer1 must keep at least 16 channels.
    /// </summary>
    public const double MinResNetWidth = 0.25;

    /// <param name="replaceStrideWithDilation">torchvision's option for layer2..layer4 (null: none).</param>
    public static nn.Module<Tensor, Tensor> Create(ModelConfig config, int numClasses, bool[]? replaceStrideWithDilation = null)
    {
        if (config.Architecture.StartsWith("resnet") && config.Width < MinResNetWidth)
            throw new ConfigException(
                $"{config.Architecture} width {config.Width} is below {MinResNetWidth}: layer1 would have fewer than 16 channels, " +
                "where libtorch's CPU convolution backward is unreliable. Use width >= 0.25.");
        return Build(config, numClasses, replaceStrideWithDilation);
    }

    static nn.Module<Tensor, Tensor> Build(ModelConfig config, int numClasses, bool[]? replaceStrideWithDilation) => config.Architecture switch
    {
        "resnet18" => new ResNet("resnet18", bottleneck: false, [2, 2, 2, 2], numClasses, config.Width, replaceStrideWithDilation),
        "resnet50" => new ResNet("resnet50", bottleneck: true, [3, 4, 6, 3], numClasses, config.Width, replaceStrideWithDilation),
        _ => throw new ConfigException(
            $"unknown architecture '{config.Architecture}'; allowed values: {string.Join(", ", Architectures)}"),
    };
}
