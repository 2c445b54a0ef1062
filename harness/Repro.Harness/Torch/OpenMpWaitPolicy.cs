using System.Runtime.InteropServices;

namespace Repro.Torch;

/// <summary>
/// How libtorch's OpenMP threads wait for work. GNU OpenMP's default spins up to 300,000 times before sleeping, which is
/// fastest alone but collapses when another process shares the cores (each process's spinning threads steal the
/// other's time slices); PASSIVE sleeps at once and loses about 40 % alone. A bounded spin keeps most of both
/// (benchmarks/README.md, "Threads on a shared machine"). libgomp reads the setting once, when libtorch loads it, and
/// .NET's Environment.SetEnvironmentVariable does not reach native getenv on Linux, hence libc's setenv here, before
/// anything touches libtorch. A value the user set in the environment is left alone.
/// </summary>
public static class OpenMpWaitPolicy
{
    /// <summary>GOMP_SPINCOUNT when the environment sets neither it nor OMP_WAIT_POLICY.</summary>
    public const string DefaultSpinCount = "1000";

    /// <summary>The policy in effect, in words, for logs and provenance.</summary>
    public static string Description { get; private set; } = "OpenMP defaults";

    internal static void ApplyBeforeLibtorchLoads()
    {
        if (!OperatingSystem.IsLinux()) return;
        var policy = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        var spin = Environment.GetEnvironmentVariable("GOMP_SPINCOUNT");
        if (policy != null || spin != null)
        {
            Description = string.Join(", ", new[] { ("OMP_WAIT_POLICY", policy), ("GOMP_SPINCOUNT", spin) }
                .Where(kv => kv.Item2 != null).Select(kv => $"{kv.Item1}={kv.Item2}")) + " (from the environment)";
            return;
        }
        if (setenv("GOMP_SPINCOUNT", DefaultSpinCount, 0) != 0)
        {
            Description = "OpenMP defaults (setenv failed)";
            return;
        }
        Description = $"GOMP_SPINCOUNT={DefaultSpinCount}";
    }

    [DllImport("libc", SetLastError = true)]
    static extern int setenv(string name, string value, int overwrite);
}
