using Repro.Config;
using Repro.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Measurement.Discovery;

/// <summary>
/// ResNet features for LOST: the layer4 output flattened to tokens [h·w, C] and standardised over the whole
/// token×channel matrix, as the reference does with a fresh nn.LayerNorm(feats.size()[1:]) (no learnt scale or
/// shift, eps 1e-5).
/// </summary>
public sealed class ResNetLayer4Features : IDiscoveryFeatures
{
    const double LayerNormEps = 1e-5;
    readonly ResNet _model;

    public ResNetLayer4Features(ResNet model)
    {
        _model = model;
        Device = model.parameters().First().device;
    }

    public string Description => $"ResNet layer4, stride {Stride}, standardised over tokens×channels";
    public int Stride => _model.FeatureStride;
    public Device Device { get; }

    public PatchTokens Extract(Tensor paddedImage)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        _model.eval();
        var map = _model.Features(paddedImage);
        int channels = (int)map.shape[1], rows = (int)map.shape[2], cols = (int)map.shape[3];
        var tokens = Standardise(map.reshape(channels, rows * cols).t());
        return new PatchTokens(tokens.MoveToOuterDisposeScope(), rows, cols);
    }

    /// <summary>(x − mean) / sqrt(var + eps) over every entry of the matrix, biased variance (LayerNorm over both dims).</summary>
    public static Tensor Standardise(Tensor tokens) =>
        nn.functional.layer_norm(tokens, [tokens.shape[0], tokens.shape[1]], eps: LayerNormEps);

    /// <summary>
    /// The output stride LOST actually gets. The authors' "dilation" option only renamed the output folder and
    /// features stayed at stride 32 (errata 5): <see cref="Fidelity.Paper"/> keeps 32; <see cref="Fidelity.Corrected"/>
    /// gives the requested stride.
    /// </summary>
    public static int EffectiveStride(int requestedStride, Fidelity fidelity)
    {
        DilationFor(requestedStride); // rejects strides ResNet cannot give, in either mode
        return fidelity.RequireOne("LOST's ResNet stride") == Fidelity.Paper ? 32 : requestedStride;
    }

    /// <summary>torchvision's replace_stride_with_dilation for an output stride, as LOST's resnet_dilate 1/2/4 maps it.</summary>
    public static bool[] DilationFor(int stride) => stride switch
    {
        32 => [false, false, false],
        16 => [false, false, true],
        8 => [false, true, true],
        _ => throw new ConfigException($"ResNet discovery stride {stride} is not available; allowed values: 32, 16, 8"),
    };

    /// <summary>
    /// A ResNet with <paramref name="trained"/>'s weights at the stride LOST should see. When that differs from the
    /// trained model's, a dilated copy is built (same parameter shapes) and the weights copied into it.
    /// </summary>
    public static ResNet ForDiscovery(ResNet trained, ModelConfig config, int numClasses, int requestedStride, Fidelity fidelity)
    {
        var stride = EffectiveStride(requestedStride, fidelity);
        if (stride == trained.FeatureStride) return trained;
        var dilated = (ResNet)ModelZoo.Create(new ModelConfig { Architecture = config.Architecture, Width = config.Width, Depths = config.Depths, Dilation = [.. DilationFor(stride)] }, numClasses);
        using (no_grad()) dilated.load_state_dict(trained.state_dict(), strict: true);
        dilated.to(trained.parameters().First().device);
        if (dilated.FeatureStride != stride)
            throw new InvalidOperationException($"dilated {config.Architecture} has stride {dilated.FeatureStride}, expected {stride}");
        return dilated;
    }
}
