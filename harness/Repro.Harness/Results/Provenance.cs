using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Repro.Results;

/// <summary>What produced a results file: seeds, versions, device, commit, profile, timings.</summary>
public sealed class Provenance
{
    public int Seed { get; set; }
    public List<int> ReferenceSeeds { get; set; } = [];
    public string Profile { get; set; } = "";
    public string ProfileSha256 { get; set; } = "";
    public string Fidelity { get; set; } = "";
    public string GitCommit { get; set; } = "";
    public bool GitDirty { get; set; }
    public string ReproVersion { get; set; } = "";
    public string TorchSharpVersion { get; set; } = "";
    public string DotnetVersion { get; set; } = "";
    public string Os { get; set; } = "";
    public int CpuCount { get; set; }
    /// <summary>libtorch's intra-op CPU threads (the numbers depend on it); empty when the run was not on CPU.</summary>
    public int? Threads { get; set; }
    /// <summary>CPU convolution kernels ("onednn" or "native") and why (the self-check's outcome); empty off CPU.</summary>
    public string Convolutions { get; set; } = "";
    /// <summary>How libtorch's OpenMP threads wait for work (GOMP_SPINCOUNT / OMP_WAIT_POLICY); speed only, never numbers.</summary>
    public string OpenMp { get; set; } = "";
    public string Device { get; set; } = "";
    public string DataRoot { get; set; } = "";
    public string StartedUtc { get; set; } = "";
    public double WallSeconds { get; set; }

    public static Provenance Capture(Config.Profile profile, string repoRoot, string device, string dataRoot, int? cpuThreads,
        Models.ConvolutionKernels? convolutions = null)
    {
        var profilePath = Path.Combine(repoRoot, "profiles", profile.Name + ".yaml");
        return new Provenance
        {
            Seed = profile.Seed,
            ReferenceSeeds = profile.ReferenceSeeds,
            Profile = profile.Name,
            ProfileSha256 = File.Exists(profilePath) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(profilePath))).ToLowerInvariant() : "",
            Fidelity = profile.Fidelity.ToString().ToLowerInvariant(),
            GitCommit = Git(repoRoot, "rev-parse HEAD"),
            GitDirty = Git(repoRoot, "status --porcelain --untracked-files=no").Length > 0,
            ReproVersion = Version(typeof(Provenance).Assembly),
            TorchSharpVersion = Version(typeof(TorchSharp.torch).Assembly),
            DotnetVersion = RuntimeInformation.FrameworkDescription,
            Os = RuntimeInformation.OSDescription,
            CpuCount = Environment.ProcessorCount,
            Threads = cpuThreads,
            Convolutions = convolutions is { } k ? $"{k.Kernels}: {k.Outcome}" : "",
            OpenMp = Torch.OpenMpWaitPolicy.Description,
            Device = device,
            DataRoot = dataRoot,
            StartedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        };
    }

    static string Version(Assembly a) =>
        a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? a.GetName().Version?.ToString() ?? "";

    /// <summary>A copy of the tree without .git (a packed run on another machine) names its commit in REPRO_GIT_COMMIT.</summary>
    static string Fallback(string args) =>
        args.StartsWith("rev-parse", StringComparison.Ordinal) && Environment.GetEnvironmentVariable("REPRO_GIT_COMMIT") is { Length: > 0 } c ? c : "unknown";

    static string Git(string repoRoot, string args)
    {
        try
        {
            var psi = new ProcessStartInfo("git", args) { WorkingDirectory = repoRoot, RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 ? output : Fallback(args);
        }
        catch (Exception) { return Fallback(args); }
    }
}
