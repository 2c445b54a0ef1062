using Repro.Config;
using Repro.Data;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>Everything a stage needs: the profile, where things live, the device, the data, and a log.</summary>
public sealed class RunContext
{
    readonly Lazy<ClassificationData> _data;

    public Profile Profile { get; }
    public string RepoRoot { get; }
    public string CacheRoot { get; }
    public string? DataRoot { get; }
    public Device Device { get; }
    public string DeviceDescription => DeviceSelection.Describe(Device);
    public Action<string> Log { get; }
    public ClassificationData Data => _data.Value;
    /// <summary>libtorch's intra-op threads for this run: --threads, else the profile's, else the cores this process may use.</summary>
    public int Threads { get; }
    /// <summary>The thread count CPU numbers depend on (fingerprints, checkpoints, expected results); null on CUDA.</summary>
    public int? CpuThreads => Device.type == TorchSharp.DeviceType.CPU ? Threads : null;
    /// <summary>This run's folder under expected-results/ (<see cref="Results.ExpectedResults.Folder"/>).</summary>
    public string ExpectedFolder => Results.ExpectedResults.Folder(Profile, CpuThreads);

    public RunContext(Profile profile, string repoRoot, string? cacheRoot, string? dataRoot, DeviceChoice? device, Action<string> log,
        int? threads = null)
    {
        Profile = profile;
        RepoRoot = repoRoot;
        CacheRoot = cacheRoot ?? Path.Combine(repoRoot, ".cache");
        DataRoot = dataRoot;
        Device = DeviceSelection.Resolve(device ?? profile.Device);
        Threads = DeviceSelection.ResolveThreads(threads, profile.Performance);
        DeviceSelection.Apply(Device, profile.Performance, Threads);
        Log = log;
        _data = new Lazy<ClassificationData>(() => ClassificationData.Open(Profile, CacheRoot, DataRoot, Log));
    }
}
