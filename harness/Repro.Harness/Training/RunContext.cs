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

    public RunContext(Profile profile, string repoRoot, string? cacheRoot, string? dataRoot, DeviceChoice? device, Action<string> log)
    {
        Profile = profile;
        RepoRoot = repoRoot;
        CacheRoot = cacheRoot ?? Path.Combine(repoRoot, ".cache");
        DataRoot = dataRoot;
        Device = DeviceSelection.Resolve(device ?? profile.Device);
        DeviceSelection.Apply(Device, profile.Performance);
        Log = log;
        _data = new Lazy<ClassificationData>(() => ClassificationData.Open(Profile, CacheRoot, DataRoot, Log));
    }
}
