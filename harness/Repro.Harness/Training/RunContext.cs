using Repro.Config;
using Repro.Data;
using Repro.Models;
using static TorchSharp.torch;

namespace Repro.Training;

/// <summary>Everything a stage needs: the profile, where things live, the device, the data, and a log.</summary>
public sealed class RunContext
{
    readonly Lazy<ClassificationData> _data;

    public Profile Profile { get; }
    public string RepoRoot { get; }
    public string CacheRoot { get; }
    /// <summary>Where reports/&lt;profile&gt;/ goes (--reports-dir; default &lt;repo&gt;/reports).</summary>
    public string ReportsRoot { get => ReportsRootFor(RepoRoot, reportsRoot); init => reportsRoot = value; }
    readonly string? reportsRoot;

    /// <summary>The reports root a --reports-dir of <paramref name="reportsDir"/> names (null or empty: &lt;repo&gt;/reports).</summary>
    public static string ReportsRootFor(string repoRoot, string? reportsDir) =>
        string.IsNullOrEmpty(reportsDir) ? Path.Combine(repoRoot, "reports") : Path.GetFullPath(reportsDir);
    public string? DataRoot { get; }

    /// <summary>
    /// The folder of PyTorch checkpoints the figures import instead of training: --trajectory (relative to the working
    /// folder), else the profile's trajectory.dir (relative to the repository root); null: the suite trains its own.
    /// </summary>
    public string? TrajectoryDir
    {
        get => trajectoryDir is { Length: > 0 } given ? Path.GetFullPath(given)
            : Profile.Trajectory?.Dir is { Length: > 0 } dir ? Path.GetFullPath(Path.Combine(RepoRoot, dir)) : null;
        init => trajectoryDir = value;
    }
    readonly string? trajectoryDir;
    public Device Device { get; }
    public string DeviceDescription => DeviceSelection.Describe(Device);
    public Action<string> Log { get; }
    public ClassificationData Data => _data.Value;
    /// <summary>libtorch's intra-op threads for this run: --threads, else the profile's, else the cores this process may use.</summary>
    public int Threads { get; }
    /// <summary>The thread count CPU numbers depend on (fingerprints, checkpoints, expected results); null on CUDA.</summary>
    public int? CpuThreads => Device.type == TorchSharp.DeviceType.CPU ? Threads : null;
    /// <summary>The CPU convolution kernels (oneDNN after its self-check, or native); null on CUDA.</summary>
    public ConvolutionKernels? Convolutions { get; }
    /// <summary>"onednn" or "native" on CPU, where numbers depend on it; null on CUDA.</summary>
    public string? CpuConvolutions => Convolutions?.Kernels;

    public RunContext(Profile profile, string repoRoot, string? cacheRoot, string? dataRoot, DeviceChoice? device, Action<string> log,
        int? threads = null, OneDnnMode? onednn = null)
    {
        var runtime = Torch.TorchRuntime.Require("RunContext");
        Profile = profile;
        RepoRoot = repoRoot;
        CacheRoot = cacheRoot ?? Path.Combine(repoRoot, ".cache");
        DataRoot = dataRoot;
        Device = DeviceSelection.Resolve(device ?? profile.Device);
        Threads = DeviceSelection.ResolveThreads(threads, profile.Performance);
        // Process-wide and set both ways. (TorchSharp 0.107 declares use_deterministic_algorithms but does not implement
        // it; libtorch's CPU kernels are deterministic at a fixed thread count, which is what the fingerprint pins.)
        set_num_threads(Threads);
        Log = log;
        if (Device.type == TorchSharp.DeviceType.CPU)
        {
            Convolutions = ConvolutionBackend.Select(onednn ?? profile.Performance.Onednn, DeviceSelection.ConvolutionShapes(profile), log, CacheRoot);
            log($"cpu: {Threads} thread(s), {runtime.OpenMp}; convolutions: {Convolutions.Kernels} ({Convolutions.Outcome})");
        }
        _data = new Lazy<ClassificationData>(() => ClassificationData.Open(Profile, CacheRoot, DataRoot, Log));
    }
}
