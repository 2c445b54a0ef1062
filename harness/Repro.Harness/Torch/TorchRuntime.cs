using System.Runtime.InteropServices;
using Repro.Config;
using static TorchSharp.torch;

namespace Repro.Torch;

/// <summary>How <see cref="TorchRuntime.Configure"/> sets up the process.</summary>
public sealed record TorchRuntimeOptions
{
    /// <summary>The environment variable <see cref="FromEnvironment"/> reads for <see cref="LibtorchDefaults"/>: 1 or true, 0 or false.</summary>
    public const string LibtorchDefaultsVariable = "REPRO_LIBTORCH_DEFAULTS";

    /// <summary>
    /// Leave libtorch's NNPACK and oneDNN switches as the library sets them (oneDNN on), without calling into its C++
    /// context; CPU convolutions are then reported as "unknown" and the oneDNN self-check does not run. From the
    /// environment: REPRO_LIBTORCH_DEFAULTS=1. The OpenMP wait policy is set either way.
    /// </summary>
    public bool LibtorchDefaults { get; init; }

    public static TorchRuntimeOptions FromEnvironment() => new()
    {
        LibtorchDefaults = Environment.GetEnvironmentVariable(LibtorchDefaultsVariable)?.Trim().ToLowerInvariant() switch
        {
            null or "" or "0" or "false" => false,
            "1" or "true" => true,
            var other => throw new ConfigException($"{LibtorchDefaultsVariable} is '{other}'; allowed values: 1, true, 0, false"),
        },
    };
}

/// <summary>What <see cref="TorchRuntime.Configure"/> set.</summary>
/// <param name="OpenMp">The OpenMP wait policy in effect, in words.</param>
/// <param name="SwitchesApplied">Whether NNPACK and oneDNN were switched off through libtorch's C++ context (and oneDNN can be switched later).</param>
/// <param name="Switches">Why the switches were or were not applied, in words.</param>
public sealed record TorchRuntimeSetup(TorchRuntimeOptions Options, string OpenMp, bool SwitchesApplied, string Switches);

/// <summary>libtorch's process-wide switches at one moment, as results files record them.</summary>
public sealed class BackendSwitches
{
    public string OpenMp { get; set; } = "";
    /// <summary>"off", or "libtorch default" when the switches were not applied.</summary>
    public string Nnpack { get; set; } = "";
    /// <summary>"on" or "off" (the self-check may have turned it on), or "libtorch default".</summary>
    public string Onednn { get; set; } = "";
    /// <summary>"on" or "off" as set for CUDA, or "libtorch default" when nothing set it.</summary>
    public string Tf32 { get; set; } = "";
    /// <summary>Whether the version-guarded NNPACK and oneDNN switches were applied, and why not.</summary>
    public string LibtorchSwitches { get; set; } = "";

    public override string ToString() => $"OpenMP {OpenMp}; NNPACK {Nnpack}; oneDNN {Onednn}; TF32 {Tf32}; libtorch switches {LibtorchSwitches}";
}

/// <summary>
/// The one explicit set-up of libtorch for a process: call <see cref="Configure"/> first, before anything touches
/// libtorch (its OpenMP runtime reads the wait policy once, when it loads). It sets the OpenMP wait policy
/// (<see cref="OpenMpWaitPolicy"/>) and switches NNPACK and oneDNN off (Models/ConvolutionBackend says why; its self-check
/// may turn oneDNN on later). The entry points that depend on this setup (RunContext, ConvolutionBackend.Select,
/// ThroughputProbe, ParityCheck) refuse to run without it rather than run other kernels.
/// </summary>
public static class TorchRuntime
{
    /// <summary>
    /// The TorchSharp release whose libtorch exports the C++ entry points the switches call (Itanium-ABI names of
    /// at::Context, Linux builds). Another release may rename or change them, so there they are not called.
    /// </summary>
    public static readonly Version SwitchesTorchSharpVersion = new(0, 107, 0);

    public const string LibtorchDefault = "libtorch default";

    static readonly Lock Gate = new();
    static TorchRuntimeSetup? _setup;
    static string _tf32 = LibtorchDefault;

    /// <summary>
    /// Sets up the process once; later calls with the same options return the same setup, and with others fail (what
    /// was set cannot be unset). Warnings (libtorch loaded too early, switches not applied) go to standard error.
    /// </summary>
    public static TorchRuntimeSetup Configure(TorchRuntimeOptions options)
    {
        lock (Gate)
        {
            if (_setup is { } done)
                return done.Options == options ? done
                    : throw new InvalidOperationException($"TorchRuntime.Configure was already called with {done.Options}; it cannot be set up again with {options}");
            var version = typeof(TorchSharp.torch).Assembly.GetName().Version ?? new Version();
            return _setup = Apply(options, version, Console.Error.WriteLine);
        }
    }

    /// <summary>The setup, or a clear failure naming <paramref name="entryPoint"/> when <see cref="Configure"/> was not called.</summary>
    public static TorchRuntimeSetup Require(string entryPoint) => _setup ?? throw new InvalidOperationException(
        $"call TorchRuntime.Configure first: {entryPoint} needs the process's libtorch setup (OpenMP wait policy before libtorch " +
        "loads, NNPACK and oneDNN off), and this process has not made it; call it once at start-up, before any other torch use");

    internal static TorchRuntimeSetup Apply(TorchRuntimeOptions options, Version torchSharp, Action<string> warn)
    {
        var (openMp, tooLate) = OpenMpWaitPolicy.Apply();
        if (tooLate) warn($"warning: {openMp}");
        var release = $"TorchSharp {torchSharp.ToString(3)}";
        if (options.LibtorchDefaults)
            return new TorchRuntimeSetup(options, openMp, false, $"not applied: left as libtorch sets them ({nameof(TorchRuntimeOptions.LibtorchDefaults)})");
        if (!OperatingSystem.IsLinux())
            return Skipped("not applied: their entry points are those of libtorch's Linux build");
        if (torchSharp.Major != SwitchesTorchSharpVersion.Major || torchSharp.Minor != SwitchesTorchSharpVersion.Minor
            || torchSharp.Build != SwitchesTorchSharpVersion.Build)
            return Skipped($"not applied: {release}, and they are tied to the libtorch of TorchSharp {SwitchesTorchSharpVersion.ToString(3)}");
        try
        {
            InitializeDeviceType(TorchSharp.DeviceType.CPU);
            LibtorchContext.SetNnpack(false);
            LibtorchContext.SetMkldnn(false);
            return new TorchRuntimeSetup(options, openMp, true, $"applied ({release})");
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return Skipped($"not applied: this libtorch build does not export them ({e.Message})");
        }

        TorchRuntimeSetup Skipped(string why)
        {
            warn($"warning: libtorch's NNPACK and oneDNN switches {why}; CPU convolutions use that build's defaults, unchecked");
            return new TorchRuntimeSetup(options, openMp, false, why);
        }
    }

    /// <summary>
    /// TF32 for float32 matmul and cuDNN convolutions (libtorch's global switches, both ways), recorded for provenance;
    /// nothing to set off CUDA.
    /// </summary>
    public static void ApplyTf32(Device device, bool on)
    {
        Require("TorchRuntime.ApplyTf32");
        if (device.type != TorchSharp.DeviceType.CUDA) return;
        backends.cuda.matmul.allow_tf32 = on;
        backends.cudnn.allow_tf32 = on;
        _tf32 = on ? "on" : "off";
    }

    /// <summary>The switches as they stand now.</summary>
    public static BackendSwitches Backends()
    {
        var setup = Require("TorchRuntime.Backends");
        return new BackendSwitches
        {
            OpenMp = setup.OpenMp,
            Nnpack = setup.SwitchesApplied ? "off" : LibtorchDefault,
            Onednn = setup.SwitchesApplied ? LibtorchContext.MkldnnEnabled() ? "on" : "off" : LibtorchDefault,
            Tf32 = _tf32,
            LibtorchSwitches = setup.Switches,
        };
    }

    /// <summary>Makes the process look unconfigured until disposed, so that tests can reach the refusals.</summary>
    internal static IDisposable Unconfigured()
    {
        lock (Gate)
        {
            var kept = _setup;
            _setup = null;
            return new Restore(() => { lock (Gate) _setup = kept; });
        }
    }

    sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}

/// <summary>libtorch_cpu's at::Context switches, by their Itanium-ABI names; call only when <see cref="TorchRuntimeSetup.SwitchesApplied"/>.</summary>
static class LibtorchContext
{
    public static void SetNnpack(bool enabled) => SetUserEnabledNNPACK(GlobalContext(), enabled);
    public static void SetMkldnn(bool enabled) => SetUserEnabledMkldnn(GlobalContext(), enabled);
    public static bool MkldnnEnabled() => UserEnabledMkldnn(GlobalContext());

    [DllImport("torch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    static extern IntPtr GlobalContext();

    [DllImport("torch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

    [DllImport("torch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.I1)]
    static extern bool UserEnabledMkldnn(IntPtr context);

    [DllImport("torch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    static extern void SetUserEnabledNNPACK(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);
}
