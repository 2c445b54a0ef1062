using Repro.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Repro.Models;

/// <summary>
/// torchvision's ResNet with identical parameter names and shapes at width 1.0 (conv1, bn1,
/// layer1.0.conv1, layer2.0.downsample.0, fc, ...). <c>width</c> scales every channel count for small
/// profiles; <c>replaceStrideWithDilation</c> is torchvision's option for layer2..layer4.
/// </summary>
public sealed class ResNet : Module<Tensor, Tensor>
{
    readonly Conv2d conv1;
    readonly Module<Tensor, Tensor> bn1;
    readonly Module<Tensor, Tensor> relu;
    readonly Module<Tensor, Tensor> maxpool;
    readonly Sequential layer1, layer2, layer3, layer4;
    readonly Module<Tensor, Tensor> avgpool;
    readonly Linear fc;

    public int FeatureChannels { get; }

    /// <summary>Output stride of <see cref="Features"/> (32, or less with dilation).</summary>
    public int FeatureStride { get; }

    public ResNet(string name, bool bottleneck, int[] layers, int numClasses, double width = 1.0,
        bool[]? replaceStrideWithDilation = null) : base(name)
    {
        replaceStrideWithDilation ??= [false, false, false];
        if (layers.Length != 4 || replaceStrideWithDilation.Length != 3)
            throw new ArgumentException($"ResNet takes 4 stage depths and 3 dilation flags, got {layers.Length} and {replaceStrideWithDilation.Length}");
        int C(int channels) => Math.Max(1, (int)Math.Round(channels * width));
        var expansion = bottleneck ? 4 : 1;
        var inplanes = C(64);
        var dilation = 1;
        var stride = 4;

        conv1 = Conv2d(3, inplanes, 7, stride: 2, padding: 3, bias: false);
        bn1 = new CachedScalarBatchNorm2d(inplanes);
        relu = ReLU(inplace: true);
        maxpool = MaxPool2d(3, stride: 2, padding: 1);

        Sequential MakeLayer(int planes, int blocks, int layerStride, bool dilate)
        {
            var previousDilation = dilation;
            if (dilate) { dilation *= layerStride; layerStride = 1; }
            stride *= layerStride;
            var mods = new List<(string, Module<Tensor, Tensor>)>();
            Module<Tensor, Tensor>? downsample = null;
            if (layerStride != 1 || inplanes != planes * expansion)
                downsample = Sequential(("0", Conv2d(inplanes, planes * expansion, 1, stride: layerStride, bias: false)),
                    ("1", new CachedScalarBatchNorm2d(planes * expansion)));
            mods.Add(("0", bottleneck
                ? new Bottleneck(inplanes, planes, layerStride, downsample, previousDilation)
                : new BasicBlock(inplanes, planes, layerStride, downsample, previousDilation)));
            inplanes = planes * expansion;
            for (var i = 1; i < blocks; i++)
                mods.Add(($"{i}", bottleneck
                    ? new Bottleneck(inplanes, planes, 1, null, dilation)
                    : new BasicBlock(inplanes, planes, 1, null, dilation)));
            return Sequential(mods);
        }

        layer1 = MakeLayer(C(64), layers[0], 1, false);
        layer2 = MakeLayer(C(128), layers[1], 2, replaceStrideWithDilation[0]);
        layer3 = MakeLayer(C(256), layers[2], 2, replaceStrideWithDilation[1]);
        layer4 = MakeLayer(C(512), layers[3], 2, replaceStrideWithDilation[2]);
        avgpool = AdaptiveAvgPool2d(1);
        FeatureChannels = C(512) * expansion;
        FeatureStride = stride;
        fc = Linear(FeatureChannels, numClasses);
        RegisterComponents();

        foreach (var (_, m) in named_modules())
            if (m is Conv2d conv) init.kaiming_normal_(conv.weight, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
    }

    /// <summary>The output of layer4: [B, FeatureChannels, H/stride, W/stride].</summary>
    public Tensor Features(Tensor x)
    {
        x = maxpool.call(relu.call(bn1.call(conv1.call(x))));
        return layer4.call(layer3.call(layer2.call(layer1.call(x))));
    }

    public Tensor Head(Tensor features)
    {
        return fc.call(avgpool.call(features).flatten(1));
    }

    public override Tensor forward(Tensor x)
    {
        return Head(Features(x));
    }
}

sealed class BasicBlock : Module<Tensor, Tensor>
{
    readonly Conv2d conv1, conv2;
    readonly Module<Tensor, Tensor> bn1, bn2;
    readonly Module<Tensor, Tensor> relu;
    readonly Module<Tensor, Tensor>? downsample;

    public BasicBlock(int inplanes, int planes, int stride, Module<Tensor, Tensor>? downsample, int dilation) : base("BasicBlock")
    {
        conv1 = Conv2d(inplanes, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn1 = new CachedScalarBatchNorm2d(planes);
        relu = ReLU(inplace: true);
        conv2 = Conv2d(planes, planes, 3, padding: dilation, dilation: dilation, bias: false);
        bn2 = new CachedScalarBatchNorm2d(planes);
        this.downsample = downsample;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var identity = downsample?.call(x) ?? x;
        var y = bn2.call(conv2.call(relu.call(bn1.call(conv1.call(x)))));
        return relu.call(y.add_(identity, Scalars.One));
    }
}

sealed class Bottleneck : Module<Tensor, Tensor>
{
    readonly Conv2d conv1, conv2, conv3;
    readonly Module<Tensor, Tensor> bn1, bn2, bn3;
    readonly Module<Tensor, Tensor> relu;
    readonly Module<Tensor, Tensor>? downsample;

    public Bottleneck(int inplanes, int planes, int stride, Module<Tensor, Tensor>? downsample, int dilation) : base("Bottleneck")
    {
        conv1 = Conv2d(inplanes, planes, 1, bias: false);
        bn1 = new CachedScalarBatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, stride: stride, padding: dilation, dilation: dilation, bias: false);
        bn2 = new CachedScalarBatchNorm2d(planes);
        conv3 = Conv2d(planes, planes * 4, 1, bias: false);
        bn3 = new CachedScalarBatchNorm2d(planes * 4);
        relu = ReLU(inplace: true);
        this.downsample = downsample;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var identity = downsample?.call(x) ?? x;
        var y = relu.call(bn1.call(conv1.call(x)));
        y = relu.call(bn2.call(conv2.call(y)));
        y = bn3.call(conv3.call(y));
        return relu.call(y.add_(identity, Scalars.One));
    }
}
