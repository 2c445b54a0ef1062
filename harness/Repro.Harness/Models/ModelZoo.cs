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
    /// ResNet widths must be multiples of 0.25, so that every channel count is a multiple of 16: on AVX-512
    /// CPUs libtorch 2.10's float32 convolution backward returned wrong and sometimes NaN gradients for
    /// other counts (measured here: 4, 8, 12 and 24 channels wrong; 16, 32 and up right).
    /// </summary>
    public const double MinResNetWidth = 0.25;

    public static bool IsSafeResNetWidth(double width) =>
        width >= MinResNetWidth && Math.Abs(width * 4 - Math.Round(width * 4)) < 1e-9;

    /// <param name="replaceStrideWithDilation">torchvision's option for layer2..layer4 (null: none).</param>
    public static nn.Module<Tensor, Tensor> Create(ModelConfig config, int numClasses, bool[]? replaceStrideWithDilation = null)
    {
        if (config.Architecture.StartsWith("resnet") && !IsSafeResNetWidth(config.Width))
            throw new ConfigException(
                $"{config.Architecture} width {config.Width} is not a multiple of 0.25: some convolutions would have a channel count " +
                "that is not a multiple of 16, where libtorch's CPU convolution backward is unreliable. Use 0.25, 0.5, 0.75, 1, ...");
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
