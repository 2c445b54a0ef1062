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

    /// <param name="replaceStrideWithDilation">torchvision's option for layer2..layer4 (null: none).</param>
    public static nn.Module<Tensor, Tensor> Create(ModelConfig config, int numClasses, bool[]? replaceStrideWithDilation = null) => config.Architecture switch
    {
        "resnet18" => new ResNet("resnet18", bottleneck: false, [2, 2, 2, 2], numClasses, config.Width, replaceStrideWithDilation),
        "resnet50" => new ResNet("resnet50", bottleneck: true, [3, 4, 6, 3], numClasses, config.Width, replaceStrideWithDilation),
        _ => throw new ConfigException(
            $"unknown architecture '{config.Architecture}'; allowed values: {string.Join(", ", Architectures)}"),
    };
}
