using Repro.Config;
using static TorchSharp.torch;

namespace Repro.Training;

public static class DeviceSelection
{
    public static Device Resolve(DeviceChoice choice) => choice switch
    {
        DeviceChoice.Cpu => CPU,
        DeviceChoice.Cuda when cuda.is_available() => CUDA,
        DeviceChoice.Cuda => throw new EnvironmentException(
            "device 'cuda' requested but no CUDA device is available to libtorch (this build ships TorchSharp-cpu; " +
            "on a GPU machine use a CUDA build of libtorch, see README 'Running on a GPU'). Use -p:Device=cpu or auto."),
        _ => cuda.is_available() ? CUDA : CPU,
    };

    /// <summary>Sets libtorch's process-wide TF32 switches from the profile (both ways: they are global state).</summary>
    public static void Apply(Device device, PerformanceConfig performance) => SetTf32(device, performance.Tf32);

    /// <summary>TF32 for float32 matmul and cuDNN convolution; nothing to set off CUDA.</summary>
    public static void SetTf32(Device device, bool on)
    {
        if (device.type != TorchSharp.DeviceType.CUDA) return;
        backends.cuda.matmul.allow_tf32 = on;
        backends.cudnn.allow_tf32 = on;
    }

    public static string Describe(Device device) =>
        device.type == TorchSharp.DeviceType.CUDA ? $"cuda ({cuda.device_count()} device(s))" : $"cpu ({get_num_threads()} threads)";
}
