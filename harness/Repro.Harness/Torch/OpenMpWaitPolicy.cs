using System.Runtime.InteropServices;

namespace Repro.Torch;

/// <summary>
/// How libtorch's OpenMP threads wait for work. GNU OpenMP's default spins up to 300,000 times before sleeping, which is
/// fastest alone but collapses when another process shares the cores (each process's spinning threads steal the
/// other's time slices); PASSIVE sleeps at once and loses about 40 % alone. A bounded spin keeps most of both
/// (benchmarks/README.md, "Threads on a shared machine"). libgomp reads the setting once, when libtorch loads it, and
/// .NET's Environment.SetEnvironmentVariable does not reach native getenv on Linux, hence libc's setenv, from
/// <see cref="TorchRuntime.Configure"/> before anything touches libtorch. A value the user set in the environment is left alone.
/// </summary>
public static class OpenMpWaitPolicy
{
    /// <summary>GOMP_SPINCOUNT when the environment sets neither it nor OMP_WAIT_POLICY.</summary>
    public const string DefaultSpinCount = "1000";

    /// <summary>Sets the policy if it is not too late; the policy in words, and whether OpenMP was loaded before it could be set.</summary>
    internal static (string Description, bool TooLate) Apply()
    {
        if (!OperatingSystem.IsLinux()) return ("OpenMP defaults", false);
        var policy = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        var spin = Environment.GetEnvironmentVariable("GOMP_SPINCOUNT");
        if (policy != null || spin != null)
            return (string.Join(", ", new[] { ("OMP_WAIT_POLICY", policy), ("GOMP_SPINCOUNT", spin) }
                .Where(kv => kv.Item2 != null).Select(kv => $"{kv.Item1}={kv.Item2}")) + " (from the environment)", false);
        if (LoadedLibrary() is { } loaded)
            return ($"OpenMP defaults: {loaded} was loaded before TorchRuntime.Configure, too late to set GOMP_SPINCOUNT={DefaultSpinCount}", true);
        if (setenv("GOMP_SPINCOUNT", DefaultSpinCount, 0) != 0) return ("OpenMP defaults (setenv failed)", false);
        return ($"GOMP_SPINCOUNT={DefaultSpinCount}", false);
    }

    /// <summary>libtorch or an OpenMP runtime already mapped into this process, if any.</summary>
    static string? LoadedLibrary()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return null;
        return File.ReadLines(maps).Select(l => Path.GetFileName(l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? ""))
            .FirstOrDefault(name => name.StartsWith("libtorch", StringComparison.Ordinal) || name.StartsWith("libgomp", StringComparison.Ordinal)
                                    || name.StartsWith("libiomp", StringComparison.Ordinal));
    }

    [DllImport("libc", SetLastError = true)]
    static extern int setenv(string name, string value, int overwrite);
}
