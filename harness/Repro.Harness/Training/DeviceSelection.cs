using Repro.Config;
using Repro.Models;
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

    /// <summary>
    /// An explicit count (--threads), else the profile's <c>performance.threads</c>, else the cores this process may
    /// use (.NET's processor count follows the affinity mask and the cgroup CPU quota, not the host's core count).
    /// </summary>
    public static int ResolveThreads(int? requested, PerformanceConfig performance)
    {
        var threads = requested ?? performance.Threads ?? Environment.ProcessorCount;
        if (threads < 1)
            throw new ConfigException($"the thread count is {threads}; it must be at least 1 (--threads or performance.threads in the profile)");
        return threads;
    }

    /// <summary>The distinct convolutions the profile's models run at its image size, for the oneDNN self-check.</summary>
    public static IReadOnlyList<ConvolutionShape> ConvolutionShapes(Profile profile) => ConvolutionShapes(profile.Models, profile.Data.ImageSize);

    /// <summary>
    /// The distinct convolutions of <paramref name="models"/> at <paramref name="imageSize"/>. The models are built only to
    /// be traced; libtorch's global random state is restored so that nothing downstream draws differently.
    /// </summary>
    public static IReadOnlyList<ConvolutionShape> ConvolutionShapes(IEnumerable<ModelConfig> models, int imageSize)
    {
        using var state = random.get_rng_state();
        try
        {
            return models.SelectMany(m =>
            {
                using var model = ModelZoo.Create(m, numClasses: 10, imageSize);
                return ConvolutionBackend.ShapesOf(model, imageSize);
            }).Distinct().ToList();
        }
        finally { random.set_rng_state(state); }
    }

    public static string Describe(Device device) =>
        device.type == TorchSharp.DeviceType.CUDA ? $"cuda ({cuda.device_count()} device(s))"
            : $"cpu ({get_num_threads()} threads, {Convolutions()} convolutions)";

    static string Convolutions() =>
        !Torch.TorchRuntime.Require("DeviceSelection.Describe").SwitchesApplied ? "libtorch-default"
            : ConvolutionBackend.OneDnnEnabled ? "oneDNN" : "native";
}
