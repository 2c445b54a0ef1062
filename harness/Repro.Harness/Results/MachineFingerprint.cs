using System.Runtime.InteropServices;

namespace Repro.Results;

/// <summary>
/// The CPU a run's numbers belong to. Another CPU model or SIMD level runs other libtorch kernels, whose rounding gives
/// other training trajectories, so expected values are compared with their same-machine tolerance only where this matches.
/// </summary>
public static class MachineFingerprint
{
    static readonly Lazy<string> Cached = new(() =>
        OperatingSystem.IsLinux() && File.Exists("/proc/cpuinfo") && FromCpuInfo(File.ReadAllText("/proc/cpuinfo")) is { } linux
            ? linux
            : RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant());

    /// <summary>"&lt;vendor&gt; family &lt;f&gt; model &lt;m&gt; &lt;simd&gt;" on Linux x86, else the OS architecture (e.g. "arm64").</summary>
    public static string Current() => Cached.Value;

    /// <summary>
    /// The fingerprint of the first processor in a /proc/cpuinfo text; null where it names no vendor (ARM's cpuinfo).
    /// The SIMD level is the widest of avx512f and avx2 the flags list, else "none".
    /// </summary>
    public static string? FromCpuInfo(string cpuinfo)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in cpuinfo.Split('\n'))
        {
            // one block per core, all alike on one machine: the first one is enough
            if (line.Trim().Length == 0 && fields.Count > 0) break;
            var colon = line.IndexOf(':');
            if (colon > 0) fields.TryAdd(line[..colon].Trim(), line[(colon + 1)..].Trim());
        }
        if (!fields.TryGetValue("vendor_id", out var vendor) || vendor.Length == 0) return null;
        var flags = (fields.GetValueOrDefault("flags") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var simd = flags.Contains("avx512f") ? "avx512f" : flags.Contains("avx2") ? "avx2" : "none";
        return $"{vendor} family {fields.GetValueOrDefault("cpu family") ?? "?"} model {fields.GetValueOrDefault("model") ?? "?"} {simd}";
    }
}
