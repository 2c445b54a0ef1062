using BenchmarkDotNet.Attributes;
using Repro.Config;
using Repro.Models;
using Repro.Pruning;
using Repro.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Benchmarks;

/// <summary>
/// One training step (forward, cross-entropy, backward, masked SGD step, as Trainer does it) per model at its
/// small-profile size: 56-px inputs, batch 32, 10 classes, 20 % of the prunable weights pruned. The mean is per
/// image (OperationsPerInvoke = batch), so images/s = 1 / mean. A short job, in-process (BenchmarkDotNet's
/// generated out-of-process project lacks the TorchSharp native fix-up): run with --filter '*ModelTraining*'.
/// </summary>
[Config(typeof(SingleInvocationRun))]
public class ModelTrainingBenchmarks
{
    internal const int Batch = 32;
    const int ImageSize = 56, Classes = 10;

    public static IEnumerable<string> Models => SmokeSizes.Keys;

    /// <summary>Sizes that train in minutes on 2 CPU cores at 56 px (ResNet-18's is the smoke profile's).</summary>
    internal static readonly Dictionary<string, ModelConfig> SmokeSizes = new()
    {
        ["resnet18-w0.25"] = new() { Architecture = "resnet18", Width = 0.25 },
        ["resnet50-w0.25"] = new() { Architecture = "resnet50", Width = 0.25 },
        ["vit_b_32-w0.25-p8-d6"] = new() { Architecture = "vit_b_32", Width = 0.25, PatchSize = 8, Depths = [6] },
        ["swin_v2_t-w0.25"] = new() { Architecture = "swin_v2_t", Width = 0.25 },
    };

    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = "";

    /// <summary>Native: libtorch's own convolutions. Auto: oneDNN where the self-check passes this model's shapes, as a run does.</summary>
    [Params(OneDnnMode.Off, OneDnnMode.Auto)]
    public OneDnnMode Convolutions { get; set; }

    nn.Module<Tensor, Tensor> _model = null!;
    PruningMasks _masks = null!;
    IMaskedSgd _optimizer = null!;
    Tensor _images = null!, _labels = null!;

    [GlobalSetup]
    public void Setup()
    {
        manual_seed(1);
        _model = ModelZoo.Create(SmokeSizes[Model], Classes, ImageSize);
        SelectKernels(_model, Convolutions, ImageSize);
        _model.train();
        _masks = OneShotMagnitudePruning.Prune(_model, PrunedLayers.ConvAndLinear, 0.2);
        _optimizer = IMaskedSgd.Create(_model, _masks, 0.01, 0.9, 1e-4, flat: false);
        _images = randn(Batch, 3, ImageSize, ImageSize);
        _labels = randint(0, Classes, [Batch]);
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public float TrainStep()
    {
        using var scope = NewDisposeScope();
        var loss = nn.functional.cross_entropy(_model.call(_images), _labels);
        _optimizer.ZeroGrad();
        loss.backward();
        _optimizer.Step();
        return loss.item<float>();
    }

    /// <summary>Picks the convolution kernels for <paramref name="model"/> as a run would, and says which were chosen.</summary>
    internal static void SelectKernels(nn.Module<Tensor, Tensor> model, OneDnnMode mode, int imageSize)
    {
        var kernels = ConvolutionBackend.Select(mode, ConvolutionBackend.ShapesOf(model, imageSize), Console.WriteLine);
        Console.WriteLine($"// convolutions: {kernels.Kernels} ({kernels.Outcome})");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _masks.Dispose();
        _optimizer.Dispose();
        _model.Dispose();
    }
}

/// <summary>
/// Inference (forward + argmax, no gradients) per model at the same sizes, batch 100 as the smoke profile's
/// evaluation: the accuracy figure's measurement stage. Per image (OperationsPerInvoke = batch).
/// </summary>
[Config(typeof(InProcessShortRun))]
public class ModelInferenceBenchmarks
{
    const int Batch = 100, ImageSize = 56, Classes = 10;

    public static IEnumerable<string> Models => ModelTrainingBenchmarks.Models;

    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = "";

    [Params(OneDnnMode.Off, OneDnnMode.Auto)]
    public OneDnnMode Convolutions { get; set; }

    nn.Module<Tensor, Tensor> _model = null!;
    Tensor _images = null!;

    [GlobalSetup]
    public void Setup()
    {
        manual_seed(1);
        _model = ModelZoo.Create(ModelTrainingBenchmarks.SmokeSizes[Model], Classes, ImageSize);
        ModelTrainingBenchmarks.SelectKernels(_model, Convolutions, ImageSize);
        _model.eval();
        _images = randn(Batch, 3, ImageSize, ImageSize);
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public long Inference()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        return _model.call(_images).argmax(1).sum().item<long>();
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();
}
