using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Repro.Config;
using Repro.Models;
using static TorchSharp.torch;

namespace Repro.Benchmarks;

/// <summary>
/// What the oneDNN self-check costs at start-up, for the smoke profile's ResNet-18 (11 shapes at 56 px) and a full-width
/// ResNet-18 at 224 px: the comparison itself in this process, and the whole isolated check (a child process that
/// loads libtorch, then the comparison). A run pays the latter once per machine, thread count and model set: the verdict
/// is kept in the cache.
/// </summary>
[Config(typeof(SingleInvocationRun))]
public class ConvolutionSelfCheckBenchmarks
{
    [Params("resnet18-w0.25@56", "resnet18@224")]
    public string Model { get; set; } = "";

    IReadOnlyList<ConvolutionShape> _shapes = null!;

    [GlobalSetup]
    public void Setup()
    {
        var (config, size) = Model == "resnet18@224"
            ? (new ModelConfig { Architecture = "resnet18" }, 224)
            : (new ModelConfig { Architecture = "resnet18", Width = 0.25 }, 56);
        using var model = ModelZoo.Create(config, 10, size);
        _shapes = ConvolutionBackend.ShapesOf(model, size);
    }

    [Benchmark]
    public double InProcessComparison() => _shapes.Max(s => ConvolutionBackend.GradientDifference(s) ?? double.NaN);

    /// <summary>The child process every time (a run reads a kept verdict instead, after its first).</summary>
    [Benchmark]
    public bool IsolatedCheck() => ConvolutionBackend.CheckIsolated(_shapes, get_num_threads()) == null;
}

/// <summary>
/// The smoke training step (ResNet-18 at width 0.25, 56 px, batch 32, oneDNN as the self-check chooses) alone and while a
/// second process trains the same model on the same cores: the suite's own `repro speed` in a loop, under this process's
/// OpenMP wait policy (set the environment, e.g. GOMP_SPINCOUNT=300000 for libgomp's default, to compare policies).
/// Per image. benchmarks/contention/contention.py measures the same across policies with separate processes.
/// </summary>
[Config(typeof(SingleInvocationRun))]
public class ContendedStepBenchmarks
{
    [Params(false, true)]
    public bool Competitor { get; set; }

    // The training benchmark's own smoke-model step, with the kernels the self-check picks.
    readonly ModelTrainingBenchmarks _step = new() { Model = "resnet18-w0.25", Convolutions = OneDnnMode.Auto };
    Process? _competitor;

    [GlobalSetup]
    public void Setup()
    {
        set_num_threads(2);
        _step.Setup();
        if (!Competitor) return;
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var a in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "repro.dll"), "speed", "--device", "cpu", "--width", "0.25",
                     "--size", "56", "--batch", "32", "--settings", "defaults", "--workloads", "train_step", "--threads", "2",
                     "--onednn", "on", "--warmup", "0", "--steps", "100000000" })
            start.ArgumentList.Add(a);
        if (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is null && Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null)
            start.Environment["GOMP_SPINCOUNT"] = Repro.Torch.OpenMpWaitPolicy.DefaultSpinCount;
        _competitor = Process.Start(start);
        Thread.Sleep(4000); // past its start-up, into its training loop
    }

    [Benchmark(OperationsPerInvoke = ModelTrainingBenchmarks.Batch)]
    public float TrainStep() => _step.TrainStep();

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_competitor is { HasExited: false }) _competitor.Kill();
        _competitor?.Dispose();
        _step.Cleanup();
    }
}
