using Repro.Measurement.Localization;
using static TorchSharp.torch;

namespace Repro.Measurement.Attribution;

/// <summary>An attribution method with the pooling applied to it: what one line of the interpretability figure scores.</summary>
public sealed record HeatmapMethod(string Name, IAttribution Attribution, IHeatmapPooling Pooling)
{
    /// <summary>One pooled heatmap per image of the batch, at the input's size.</summary>
    public Heatmap[] Heatmaps(Tensor input, Tensor? target = null)
    {
        using var scope = NewDisposeScope();
        return Heatmap.FromBatch(Pooling.Pool(Attribution.Attribute(input, target)));
    }

    /// <summary>
    /// The paper's ResNet methods: Grad-CAM on layer4's last block (min-max), Guided Grad-CAM, and Integrated
    /// Gradients (50 Gauss-Legendre steps) inside SmoothGrad (2 samples, std 1.0), both pooled by the channel sum of
    /// squares. The paper names no pooling for Guided Grad-CAM; a signed three-channel map is pooled like IG's.
    /// </summary>
    public static IReadOnlyList<HeatmapMethod> PaperResNet(nn.Module<Tensor, Tensor> model, long seed, int internalBatchSize = 50) =>
    [
        new("Grad-CAM", new GradCam(model), new MinMaxPooling()),
        new("Guided Grad-CAM", new GuidedGradCam(new GradCam(model), new GuidedBackprop(model)), new SquaredChannelSumPooling()),
        new("IG+SmoothGrad", PaperSmoothIntegratedGradients(model, seed, internalBatchSize), new SquaredChannelSumPooling()),
    ];

    /// <summary>The paper's ViT methods: the last block's attention map (min-max) and IG inside SmoothGrad.</summary>
    public static IReadOnlyList<HeatmapMethod> PaperVisionTransformer<TModel>(TModel model, long seed, int internalBatchSize = 50)
        where TModel : nn.Module<Tensor, Tensor>, IAttentionModel =>
    [
        new("attention", new AttentionMap(model), new MinMaxPooling()),
        new("IG+SmoothGrad", PaperSmoothIntegratedGradients(model, seed, internalBatchSize), new SquaredChannelSumPooling()),
    ];

    static SmoothGrad PaperSmoothIntegratedGradients(nn.Module<Tensor, Tensor> model, long seed, int internalBatchSize) =>
        new(new IntegratedGradients(model, steps: 50, IntegrationRule.GaussLegendre, internalBatchSize), samples: 2, noiseStd: 1.0, seed);
}
