using BenchmarkDotNet.Attributes;
using Repro.Config;
using Repro.Models;
using Repro.Pruning;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Benchmarks;

/// <summary>
/// One training step of the trajectory (forward, backward, gradient masking, SGD step, weight masking) and
/// one inference batch, at the smoke profile's size: ResNet-18 width 0.25, 56 px, batch 32, half the weights
/// pruned. Images/s = 32 / mean time.
/// </summary>
[Config(typeof(InProcessShortRun))]
public class TrainingBenchmarks
{
    const int Batch = 32;

    [Params("resnet18", "resnet50")]
    public string Architecture { get; set; } = "resnet18";

    nn.Module<Tensor, Tensor> _model = null!;
    PruningMasks _masks = null!;
    optim.Optimizer _optimizer = null!;
    Tensor _images = null!, _labels = null!;

    [GlobalSetup]
    public void Setup()
    {
        manual_seed(0);
        _model = ModelZoo.Create(new ModelConfig { Architecture = Architecture, Width = 0.25 }, 10);
        _masks = PruningMasks.Dense(_model, PrunedLayers.ConvAndLinear);
        GlobalMagnitudePruner.Prune(_masks, 0.5);
        _optimizer = optim.SGD(_model.parameters(), 0.05, momentum: 0.9, weight_decay: 1e-4);
        _images = randn(Batch, 3, 56, 56);
        _labels = randint(0, 10, [Batch]);
    }

    [Benchmark(Description = "train step, batch 32 @ 56 px")]
    public float TrainStep()
    {
        _model.train();
        using var scope = NewDisposeScope();
        var loss = nn.functional.cross_entropy(_model.call(_images), _labels);
        _optimizer.zero_grad();
        loss.backward();
        _masks.ApplyToGradients();
        _optimizer.step();
        _masks.ApplyToWeights();
        return loss.item<float>();
    }

    [Benchmark(Description = "inference, batch 32 @ 56 px")]
    public long Inference()
    {
        _model.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        return _model.call(_images).argmax(1).sum().item<long>();
    }
}
