using BenchmarkDotNet.Configs;
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
