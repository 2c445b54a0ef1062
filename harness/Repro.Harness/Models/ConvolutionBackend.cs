using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Repro.Models;

/// <summary>
/// Turns off libtorch's oneDNN (mkldnn) CPU convolutions. With TorchSharp-cpu 0.107 (libtorch 2.10) on an
/// AVX-512 AMD EPYC host, oneDNN's convolution backward returned wrong input gradients (a 3-channel 7×7
/// stem conv off by ~40 % of the gradient's scale against a float64 reference) and, intermittently, NaN,
/// so weight gradients of every conv that feeds another conv were corrupted. libtorch's own convolution
/// kernels compute them correctly; forward results agree either way. NNPACK, which libtorch then tries for
/// every convolution, is turned off too: it cannot run on such hosts and logs a warning on each attempt.
/// Runs once when the library loads.
/// </summary>
static class ConvolutionBackend
{
#pragma warning disable CA2255 // must run before any model computes a gradient, whichever entry point loads the library
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void DisableOneDnn()
    {
        // The entry points are Itanium-ABI names of libtorch_cpu's at::Context (Linux builds only).
        if (!OperatingSystem.IsLinux()) return;
        InitializeDeviceType(TorchSharp.DeviceType.CPU);
        try
        {
            SetUserEnabledMkldnn(GlobalContext(), false);
            SetUserEnabledNNPACK(GlobalContext(), false);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // Another libtorch build (e.g. a GPU machine's own): keep going, but say that CPU gradients are unchecked.
            Console.Error.WriteLine($"warning: could not turn off libtorch's oneDNN convolutions ({e.Message}); " +
                                    "CPU convolution gradients may be wrong on AVX-512 hosts (see Repro.Models.ConvolutionBackend)");
        }
    }

    [DllImport("torch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    static extern IntPtr GlobalContext();

    [DllImport("torch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

    [DllImport("torch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    static extern void SetUserEnabledNNPACK(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);
}
