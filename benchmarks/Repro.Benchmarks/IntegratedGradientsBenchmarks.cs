using BenchmarkDotNet.Attributes;
using Repro.Measurement.Attribution;
using Repro.Models;
using static TorchSharp.torch;

namespace Repro.Benchmarks;

/// <summary>
/// The paper's IG attribution per image (50 Gauss-Legendre steps inside SmoothGrad with 2 noisy samples: 100 path
/// points) on the smoke profile's ResNet-18 (width 0.25, 10 classes) and one scene-sized 128x160 image: one path
/// point per forward/backward pass against batched path points.
/// </summary>
[Config(typeof(InProcessShortRun))]
public class IntegratedGradientsBenchmarks
{
    ResNet model = null!;
    Tensor image = null!;

    [GlobalSetup]
    public void Setup()
    {
        manual_seed(1);
        model = new ResNet("resnet18", bottleneck: false, [2, 2, 2, 2], 10, width: 0.25);
        model.eval();
        using var generator = new Generator(7, CPU);
        image = randn([1, 3, 128, 160], generator: generator);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        image.Dispose();
        model.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void OneStepPerPass() => Attribute(internalBatchSize: 1);

    [Benchmark]
    public void FiftyStepsPerPass() => Attribute(internalBatchSize: 50);

    [Benchmark]
    public void HundredStepsPerPass() => Attribute(internalBatchSize: 100);

    void Attribute(int internalBatchSize)
    {
        using var scope = NewDisposeScope();
        using var smoothGrad = new SmoothGrad(new IntegratedGradients(model, steps: 50, internalBatchSize: internalBatchSize),
            samples: 2, noiseStd: 1.0, seed: 1);
        smoothGrad.Attribute(image);
    }
}
