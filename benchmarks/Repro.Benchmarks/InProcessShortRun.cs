using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Repro.Benchmarks;

/// <summary>
/// BenchmarkDotNet's generated out-of-process project fails to load libtorch ("doesn't contain a reference to
/// libtorch-cpu-linux-x64"), so every benchmark here runs its short job in this process.
/// </summary>
public sealed class InProcessShortRun : ManualConfig
{
    public InProcessShortRun() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
}
