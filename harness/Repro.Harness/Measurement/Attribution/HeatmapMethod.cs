using Repro.Config;
using Repro.Measurement.Localization;
using static TorchSharp.torch;

namespace Repro.Measurement.Attribution;

/// <summary>The settings of the paper's methods that a profile may change (defaults: the paper's).</summary>
public sealed record AttributionSettings(string GradCamLayer = GradCam.DefaultLayer, int IgSteps = 50, int SmoothGradSamples = 2,
    double NoiseStd = 1.0, int InternalBatchSize = 50)
{
    public static AttributionSettings Paper { get; } = new();
}

/// <summary>An attribution method with the pooling applied to it: what one line of the interpretability figure scores.</summary>
public sealed record HeatmapMethod(string Name, IAttribution Attribution, IHeatmapPooling Pooling) : IDisposable
{
    /// <summary>The fidelity modes whose series this method's heatmaps feed; empty: every mode (the method has one variant).</summary>
    public IReadOnlyList<Fidelity> Only { get; init; } = [];

    public bool Feeds(Fidelity fidelity) => Only.Count == 0 || Only.Contains(fidelity);

    /// <summary>One pooled heatmap per image of the batch, at the input's size.</summary>
    public Heatmap[] Heatmaps(Tensor input, Tensor? target = null)
    {
        using var scope = NewDisposeScope();
        return Heatmap.FromBatch(Pooling.Pool(Attribution.Attribute(input, target)));
    }

    /// <summary>
    /// The heatmap of one image [1,3,H,W] cut to its top-left <paramref name="height"/> × <paramref name="width"/>
    /// (the image inside an input that was zero-padded bottom/right).
    /// </summary>
    public Heatmap OfImage(Tensor input, int height, int width)
    {
        using var scope = NewDisposeScope();
        return Heatmap.FromBatch(Pooling.Pool(Attribution.Attribute(input)).narrow(1, 0, height).narrow(2, 0, width))[0];
    }

    /// <summary>
    /// The paper's ResNet methods: Grad-CAM on layer4's last block (min-max), Guided Grad-CAM, and Integrated
    /// Gradients (50 Gauss-Legendre steps) inside SmoothGrad (2 samples, std 1.0), both pooled by the channel sum of
    /// squares. The paper names no pooling for Guided Grad-CAM; a signed three-channel map is pooled like IG's.
    /// Guided Grad-CAM differs between the fidelity modes (<see cref="GuidedGradCam.For"/>): one instance per mode
    /// in <paramref name="fidelities"/> (default: the paper's), each feeding only its mode.
    /// </summary>
    public static IReadOnlyList<HeatmapMethod> ForResNet(nn.Module<Tensor, Tensor> model, long seed, AttributionSettings? settings = null,
        IReadOnlyList<Fidelity>? fidelities = null)
    {
        var s = settings ?? AttributionSettings.Paper;
        return
        [
            new("Grad-CAM", new GradCam(model, s.GradCamLayer), new MinMaxPooling()),
            .. (fidelities ?? [Fidelity.Paper]).Select(f => new HeatmapMethod("Guided Grad-CAM", GuidedGradCam.For(model, s.GradCamLayer, f),
                new SquaredChannelSumPooling()) { Only = [f] }),
            new("IG+SmoothGrad", SmoothIntegratedGradients(model, seed, s), new SquaredChannelSumPooling()),
        ];
    }

    /// <summary>The paper's ViT methods: the last block's attention map (min-max) and IG inside SmoothGrad.</summary>
    public static IReadOnlyList<HeatmapMethod> ForVisionTransformer(nn.Module<Tensor, Tensor> model, IAttentionModel attention, long seed,
        AttributionSettings? settings = null) =>
    [
        new("attention", new AttentionMap(attention), new MinMaxPooling()),
        new("IG+SmoothGrad", SmoothIntegratedGradients(model, seed, settings ?? AttributionSettings.Paper), new SquaredChannelSumPooling()),
    ];

    static SmoothGrad SmoothIntegratedGradients(nn.Module<Tensor, Tensor> model, long seed, AttributionSettings s) =>
        new(new IntegratedGradients(model, s.IgSteps, IntegrationRule.GaussLegendre, s.InternalBatchSize), s.SmoothGradSamples, s.NoiseStd, seed);

    /// <summary>Releases SmoothGrad's noise generator.</summary>
    public void Dispose() => (Attribution as IDisposable)?.Dispose();
}
