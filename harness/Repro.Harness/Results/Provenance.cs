using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Repro.Results;

/// <summary>What produced a results file: seeds, versions, device, commit, profile, timings.</summary>
public sealed class Provenance
{
    public int Seed { get; set; }
    /// <summary>Seed of the generated images and evaluation noise, fixed across training seeds.</summary>
    public int DataSeed { get; set; }
    public List<int> ReferenceSeeds { get; set; } = [];
    public string Profile { get; set; } = "";
    public string ProfileSha256 { get; set; } = "";
    public string Fidelity { get; set; } = "";
    /// <summary>The commit the build stamped into the assembly; "unknown" when it was built outside a git checkout.</summary>
    public string GitCommit { get; set; } = "";
    public string ReproVersion { get; set; } = "";
    public string TorchSharpVersion { get; set; } = "";
    public string DotnetVersion { get; set; } = "";
    public string Os { get; set; } = "";
    public int CpuCount { get; set; }
    /// <summary>libtorch's intra-op CPU threads (the numbers depend on it); empty when the run was not on CPU.</summary>
    public int? Threads { get; set; }
    /// <summary>CPU convolution kernels ("onednn" or "native") and why (the self-check's outcome); empty off CPU.</summary>
    public string Convolutions { get; set; } = "";
    /// <summary>The CPU the numbers were computed on (<see cref="MachineFingerprint"/>): same-machine tolerances hold only there.</summary>
    public string Machine { get; set; } = "";
    /// <summary>libtorch's process-wide switches when the run started (OpenMP wait policy, NNPACK, oneDNN, TF32), from Torch/TorchRuntime.</summary>
    public Torch.BackendSwitches Backends { get; set; } = new();
    public string Device { get; set; } = "";
    public string DataRoot { get; set; } = "";
    public string StartedUtc { get; set; } = "";
    public double WallSeconds { get; set; }
    /// <summary>Where the checkpoints came from when they were imported (--trajectory) instead of trained; null when trained.</summary>
    public ImportedTrajectory? ImportedTrajectory { get; set; }

    public static Provenance Capture(Config.Profile profile, string repoRoot, string device, string dataRoot, int? cpuThreads,
        Models.ConvolutionKernels? convolutions = null)
    {
        var profilePath = Path.Combine(repoRoot, "profiles", profile.Name + ".yaml");
        return new Provenance
        {
            Seed = profile.Seed,
            DataSeed = profile.DataSeed,
            ReferenceSeeds = profile.ReferenceSeeds,
            Profile = profile.Name,
            ProfileSha256 = File.Exists(profilePath) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(profilePath))).ToLowerInvariant() : "",
            Fidelity = profile.Fidelity.ToString().ToLowerInvariant(),
            GitCommit = Commit(typeof(Provenance).Assembly),
            ReproVersion = Version(typeof(Provenance).Assembly),
            TorchSharpVersion = Version(typeof(TorchSharp.torch).Assembly),
            DotnetVersion = RuntimeInformation.FrameworkDescription,
            Os = RuntimeInformation.OSDescription,
            CpuCount = Environment.ProcessorCount,
            Threads = cpuThreads,
            Convolutions = convolutions is { } k ? $"{k.Kernels}: {k.Outcome}" : "",
            Machine = MachineFingerprint.Current(),
            Backends = Torch.TorchRuntime.Backends(),
            Device = device,
            DataRoot = dataRoot,
            StartedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        };
    }

    static string Version(Assembly a) =>
        a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? a.GetName().Version?.ToString() ?? "";

    /// <summary>The commit SourceLink stamps after '+' in the informational version (from SourceRevisionId).</summary>
    internal static string Commit(Assembly a) => Commit(a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    internal static string Commit(string? informationalVersion) =>
        informationalVersion?.IndexOf('+') is int plus and >= 0 && plus < informationalVersion.Length - 1 ? informationalVersion[(plus + 1)..] : "unknown";
}

/// <summary>A PyTorch trajectory folder the figures were computed from, and every checkpoint read from it.</summary>
public sealed class ImportedTrajectory
{
    public string Dir { get; set; } = "";
    public List<ImportedCheckpoint> Files { get; set; } = [];
}

/// <summary>One imported checkpoint: the model it was read into, its pruning iteration, its path and its bytes' SHA-256.</summary>
public sealed class ImportedCheckpoint
{
    public string Model { get; set; } = "";
    public int Iteration { get; set; }
    public string File { get; set; } = "";
    public string Sha256 { get; set; } = "";
}
