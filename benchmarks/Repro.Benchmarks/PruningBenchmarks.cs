using BenchmarkDotNet.Attributes;
using Repro.Config;
using Repro.Models;
using Repro.Pruning;
using static TorchSharp.torch;

namespace Repro.Benchmarks;

/// <summary>
/// The two pruning steps that touch every prunable weight, on ResNet-50 at widths whose prunable weight counts
/// grow about 16-fold (width² scaling: 1.5 M at 0.25 to 23.5 M at 1.0, the paper's ResNet-50): global magnitude
/// threshold selection (one pruning iteration: remove 20 % of the remaining weights) and mask application after
/// an optimizer step (gradient and weight masks, as every training step does). A cost that grows faster than the
/// weight count shows up as a ratio of means above the ratio of counts.
/// </summary>
[Config(typeof(SingleInvocationRun))]
public class PruningBenchmarks
{
    [Params(0.25, 0.5, 0.707, 1.0)]
    public double Width { get; set; }

    nn.Module<Tensor, Tensor> _model = null!;
    PruningMasks _masks = null!;

    [GlobalSetup]
    public void Setup()
    {
        manual_seed(0);
        _model = ModelZoo.Create(new ModelConfig { Architecture = "resnet50", Width = Width }, 1000);
        foreach (var p in _model.parameters()) p.grad = randn_like(p);
        Console.WriteLine($"// prunable weights at width {Width}: {PruningMasks.PrunableWeights(_model, PrunedLayers.ConvAndLinear).Values.Sum(w => w.numel()):N0}");
    }

    /// <summary>Each threshold selection starts from the same 20 %-pruned masks.</summary>
    [IterationSetup(Target = nameof(ThresholdSelection))]
    public void FreshMasks()
    {
        _masks?.Dispose();
        _masks = OneShotMagnitudePruning.Prune(_model, PrunedLayers.ConvAndLinear, 0.2);
    }

    [Benchmark]
    public long ThresholdSelection() => GlobalMagnitudePruner.Prune(_masks, 0.2);

    [GlobalSetup(Target = nameof(MaskApplication))]
    public void SetupMasks()
    {
        Setup();
        _masks = OneShotMagnitudePruning.Prune(_model, PrunedLayers.ConvAndLinear, 0.2);
    }

    [Benchmark]
    public void MaskApplication()
    {
        _masks.ApplyToGradients();
        _masks.ApplyToWeights();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _masks?.Dispose();
        _model.Dispose();
    }
}
