using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Repro.Benchmarks;

/// <summary>
/// BenchmarkDotNet's generated out-of-process project fails to load libtorch ("doesn't contain a reference to
/// libtorch-cpu-linux-x64"), so every benchmark here runs its short job in this process, with room for
/// slow whole-image measurements.
/// </summary>
public sealed class InProcessShortRun : ManualConfig
{
    public InProcessShortRun() =>
        AddJob(Job.ShortRun.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true)));
}

/// <summary>
/// For benchmarks whose one invocation is long or changes state (a training step, a pruning iteration): one
/// invocation per iteration, no unrolling, 2 warm-up and 5 measured iterations, in this process.
/// </summary>
public sealed class SingleInvocationRun : ManualConfig
{
    public SingleInvocationRun() => AddJob(Job.Default
        .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: false))
        .WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5)
        .WithInvocationCount(1).WithUnrollFactor(1));
}
