using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Repro.Config;
using Repro.Torch;
using static TorchSharp.torch;

namespace Repro.Models;

/// <summary>One convolution as a model runs it: the layer's configuration and the side of its (square) input.</summary>
public sealed record ConvolutionShape(int InChannels, int OutChannels, int Kernel, int Stride, int Padding, int Groups, int InputSize,
    bool ChannelsLast = false)
{
    public override string ToString() =>
        $"{InChannels}→{OutChannels} {Kernel}×{Kernel} stride {Stride}{(Groups > 1 ? $" groups {Groups}" : "")} at {InputSize} px{(ChannelsLast ? " channels-last" : "")}";

    /// <summary>The compact form the isolated check reads from its command line.</summary>
    public string Spec => string.Join(',', InChannels, OutChannels, Kernel, Stride, Padding, Groups, InputSize, ChannelsLast ? 1 : 0);

    public static ConvolutionShape Parse(string spec)
    {
        var v = spec.Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        if (v.Length != 8) throw new FormatException($"convolution shape '{spec}': expected 8 comma-separated integers");
        return new ConvolutionShape(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7] != 0);
    }
}

/// <summary>What the self-check found, in a form that goes into provenance and checkpoint keys.</summary>
/// <param name="Kernels">"onednn" or "native": the kernels CPU convolutions use for the rest of the process.</param>
/// <param name="Outcome">One line: why these kernels (checked shapes, or the failing shape and its error).</param>
public sealed record ConvolutionKernels(string Kernels, string Outcome, double Seconds)
{
    public bool OneDnn => Kernels == "onednn";
}

/// <summary>
/// libtorch's CPU convolution kernels. oneDNN (mkldnn) is 2-5x faster than libtorch's native kernels, but on this
/// repository's AVX-512 host (TorchSharp-cpu 0.107, libtorch 2.10) its float32 backward is wrong for NCHW convolutions
/// whose output channels are not a multiple of 16 (gradients off by 45-76 % of their scale, or NaN), and it crashes the
/// process (SIGFPE) on 1×1 stride-2 convolutions with 512 or more input channels (ResNet-50's shortcuts); under an AVX2
/// ISA cap it also fails channels-last 1×1 stride-2 convolutions with fewer than 8 input channels. So
/// <see cref="TorchRuntime.Configure"/> switches it off, and <see cref="Select"/> turns it on only after each of the run's
/// own convolution shapes gives the same input and weight gradients with both kernels, checked in a child process so that
/// a crash costs only the child. Configure also switches NNPACK off: it cannot run on such hosts and warns on every attempt.
/// </summary>
public static class ConvolutionBackend
{
    /// <summary>How long the self-check child may take; its shapes take seconds.</summary>
    static readonly TimeSpan CheckTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Largest relative difference (max |onednn - native| / max |native|) the check accepts; float32 sums in another order stay near 1e-6.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>Whether CPU convolutions currently go to oneDNN.</summary>
    public static bool OneDnnEnabled => TorchRuntime.Require("ConvolutionBackend.OneDnnEnabled").SwitchesApplied && LibtorchContext.MkldnnEnabled();

    /// <summary>Switches oneDNN for CPU convolutions (process-wide); tests and the self-check use it.</summary>
    public static void SetOneDnn(bool enabled)
    {
        var runtime = TorchRuntime.Require("ConvolutionBackend.SetOneDnn");
        if (!runtime.SwitchesApplied) throw new EnvironmentException($"oneDNN cannot be switched: libtorch's switches were {runtime.Switches}");
        LibtorchContext.SetMkldnn(enabled);
    }

    /// <summary>
    /// Picks the kernels for this process. In <see cref="OneDnnMode.Auto"/>, oneDNN is switched on only if every shape's input
    /// and weight gradients agree with the native kernels at the current thread count, checked in a child process
    /// (<c>repro check-convolutions</c>); a failure or a crash warns through <paramref name="warn"/>, naming the shape.
    /// The verdict is kept in <c>&lt;cache&gt;/onednn-check/</c> under <paramref name="cacheRoot"/> (without one, for the
    /// process), keyed by the CPU, libtorch, the thread count and the shapes: one machine keeps one
    /// choice, so its numbers stay the same from run to run.
    /// </summary>
    public static ConvolutionKernels Select(OneDnnMode mode, IReadOnlyCollection<ConvolutionShape> shapes, Action<string> warn, string? cacheRoot = null)
    {
        var runtime = TorchRuntime.Require("ConvolutionBackend.Select");
        if (!runtime.SwitchesApplied) return new ConvolutionKernels("unknown", $"libtorch's own choice (its switches were {runtime.Switches})", 0);
        if (mode != OneDnnMode.Auto)
        {
            SetOneDnn(mode == OneDnnMode.On);
            return new ConvolutionKernels(mode == OneDnnMode.On ? "onednn" : "native", $"performance.onednn: {mode.ToString().ToLowerInvariant()}, not checked", 0);
        }
        var clock = Stopwatch.StartNew();
        var key = VerdictKey(shapes, get_num_threads());
        var file = cacheRoot == null ? null : Path.Combine(cacheRoot, "onednn-check", key + ".txt");
        var cached = file != null && File.Exists(file) ? File.ReadAllText(file).Trim() : null;
        var verdict = cached ?? (file == null && Verdicts.TryGetValue(key, out var known) ? known : null);
        if (verdict == null)
        {
            verdict = KnownUnreliable(shapes) ?? CheckIsolated(shapes, get_num_threads(), cacheRoot) ?? Passed;
            if (file != null) AtomicFile.WriteAllText(file, verdict + "\n");
            else Verdicts[key] = verdict;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var source = cached != null ? $" (kept in {file})" : "";
        var failure = verdict == Passed ? null : verdict;
        if (failure != null)
        {
            SetOneDnn(false);
            var outcome = $"oneDNN self-check failed: {failure}{source}; native kernels";
            warn($"warning: {outcome}. CPU training is 2-5x slower; performance.onednn: on would skip the check (not advised).");
            return new ConvolutionKernels("native", outcome, seconds);
        }
        SetOneDnn(true);
        return new ConvolutionKernels("onednn",
            $"oneDNN self-check passed on {shapes.Count} convolution shape(s) at {get_num_threads()} thread(s){source}", seconds);
    }

    const string Passed = "passed";
    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Verdicts = new();

    /// <summary>What the verdict depends on: the CPU (model and flags), libtorch, oneDNN's environment, the threads and the shapes.</summary>
    static string VerdictKey(IReadOnlyCollection<ConvolutionShape> shapes, int threads)
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? string.Join('\n', File.ReadLines("/proc/cpuinfo").Where(l => l.StartsWith("model name") || l.StartsWith("flags")).Distinct())
            : RuntimeInformation.ProcessArchitecture.ToString();
        var text = string.Join('\n', [cpu, typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "",
            Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") ?? "", Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA") ?? "",
            $"threads {threads}", $"tolerance {Tolerance}", $"repetitions {Repetitions}", "refuses NCHW k>1 with output channels not a multiple of 16",
            .. shapes.Select(s => s.Spec)]);
        return ContentHash.Of(System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>
    /// Shapes oneDNN gets wrong only some of the time, so a check can pass by chance: NCHW convolutions with a kernel wider
    /// than 1 and output channels not a multiple of 16 gave NaN or 20-40 % errors in most runs and agreed in some (an 8 → 8
    /// 3 × 3 at 2 threads agreed in 2 of 6 child runs). They are refused without running; null when there is none.
    /// </summary>
    internal static string? KnownUnreliable(IEnumerable<ConvolutionShape> shapes) =>
        shapes.FirstOrDefault(s => !s.ChannelsLast && s.Kernel > 1 && s.OutChannels % 16 != 0) is { } bad
            ? $"{bad}: oneDNN's NCHW backward for a {bad.Kernel} × {bad.Kernel} kernel with {bad.OutChannels} output channels (not a multiple of 16) is wrong in some runs on this build, so no check can clear it"
            : null;

    /// <summary>Each shape's gradients are compared this many times: oneDNN's errors on some shapes come and go from run to run.</summary>
    public const int Repetitions = 3;

    /// <summary>Runs the check in a child process; null when every shape agrees, else what went wrong and on which shape.</summary>
    /// <param name="cacheRoot">Where the child writes a crash log (logs/), as the run would; null: the CLI's default.</param>
    internal static string? CheckIsolated(IReadOnlyCollection<ConvolutionShape> shapes, int threads, string? cacheRoot = null)
    {
        if (shapes.Count == 0) return null;
        var cli = Path.Combine(AppContext.BaseDirectory, "repro.dll");
        if (!File.Exists(cli))
            cli = Path.Combine(Path.GetDirectoryName(typeof(ConvolutionBackend).Assembly.Location) ?? "", "repro.dll");
        if (!File.Exists(cli))
            throw new EnvironmentException($"the oneDNN self-check runs repro.dll in a child process, but it is not beside {typeof(ConvolutionBackend).Assembly.Location}; " +
                                           "reference Repro.Cli from this project, or set performance.onednn to on or off");
        // The host running this process (the SDK names it in DOTNET_HOST_PATH under `dotnet test`), else the one on PATH.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } sdkHost ? sdkHost
            : Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "exec", cli, "check-convolutions", "--threads", threads.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(a);
        foreach (var s in shapes) { start.ArgumentList.Add("--shape"); start.ArgumentList.Add(s.Spec); }
        if (cacheRoot != null) { start.ArgumentList.Add("--cache-dir"); start.ArgumentList.Add(cacheRoot); }
        using var child = Process.Start(start) ?? throw new EnvironmentException($"could not start {host} for the oneDNN self-check");
        var errors = child.StandardError.ReadToEndAsync();
        ConvolutionShape? running = null;
        var reading = Task.Run(() =>
        {
            while (child.StandardOutput.ReadLine() is { } line)
            {
                var parts = line.Split(' ', 2);
                if (parts is ["start", var spec]) running = ConvolutionShape.Parse(spec);
                else if (parts is ["differs", var what]) return $"{running}: {what}";
                else if (parts is ["agrees", _]) running = null;
            }
            return null;
        });
        // A child that never ends (seen once: a libtorch worker spinning after a tiny convolution) must not hang the run.
        if (!reading.Wait(CheckTimeout))
        {
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
            return $"{running?.ToString() ?? "the check"}: did not finish in {CheckTimeout.TotalSeconds:F0} s and was stopped";
        }
        if (reading.Result is { } differs) return differs;
        child.WaitForExit();
        if (child.ExitCode == 0 && running == null) return null;
        var detail = errors.Result.Trim().Split('\n').LastOrDefault(l => l.Length > 0) ?? "";
        return running != null
            ? $"{running}: the check crashed (exit {child.ExitCode}{(detail.Length > 0 ? $", {detail}" : "")})"
            : $"the check exited with {child.ExitCode}{(detail.Length > 0 ? $": {detail}" : "")}";
    }

    /// <summary>The child's side: one "start"/"agrees"/"differs" line per shape on stdout, so the parent knows which shape a crash hit.</summary>
    public static int RunCheck(IReadOnlyList<ConvolutionShape> shapes, TextWriter output)
    {
        foreach (var shape in shapes)
        {
            output.WriteLine($"start {shape.Spec}");
            output.Flush();
            // the worst of the repetitions; a non-finite result (null) is worst
            double? error = 0;
            for (var i = 0; i < Repetitions && error is not null; i++)
                error = GradientDifference(shape) is { } difference ? Math.Max(difference, error.Value) : null;
            output.WriteLine(error is <= Tolerance
                ? $"agrees {error:E1}"
                : $"differs {(error is { } e ? $"gradients differ by {e:E1} of their scale (tolerance {Tolerance:E0})" : "oneDNN's gradients are not finite")}");
            output.Flush();
            if (error is not <= Tolerance) break;
        }
        return 0;
    }

    /// <summary>
    /// max |oneDNN - native| / max |native| over the input and weight gradients of one convolution (float32, batch 2 at the
    /// layer's own input size, since kernels block and handle tails by size; a random upstream gradient); null when oneDNN's gradients are not finite. Leaves oneDNN switched as it found it.
    /// </summary>
    public static double? GradientDifference(ConvolutionShape shape)
    {
        var was = OneDnnEnabled;
        using var scope = NewDisposeScope();
        var g = new Generator(1234);
        var fanIn = shape.InChannels / shape.Groups * shape.Kernel * shape.Kernel;
        var x = randn([2, shape.InChannels, shape.InputSize, shape.InputSize], generator: g);
        var w = randn([shape.OutChannels, shape.InChannels / shape.Groups, shape.Kernel, shape.Kernel], generator: g).mul_(Scalars.Of(1.0 / Math.Sqrt(fanIn)));
        if (shape.ChannelsLast) (x, w) = (MemoryLayout.ChannelsLast(x), MemoryLayout.ChannelsLast(w));
        (Tensor Input, Tensor Weight) Gradients(bool oneDnn)
        {
            SetOneDnn(oneDnn);
            var xi = x.detach().requires_grad_(true);
            var wi = w.detach().requires_grad_(true);
            var y = nn.functional.conv2d(xi, wi, strides: [shape.Stride, shape.Stride], padding: [shape.Padding, shape.Padding], groups: shape.Groups);
            y.backward([randn(y.shape, generator: new Generator(99))]);
            return (xi.grad!.clone(), wi.grad!.clone());
        }
        try
        {
            var (nativeInput, nativeWeight) = Gradients(false);
            var (input, weight) = Gradients(true);
            if (!input.isfinite().all().item<bool>() || !weight.isfinite().all().item<bool>()) return null;
            static double Relative(Tensor a, Tensor b) => (a - b).abs().max().item<float>() / Math.Max(b.abs().max().item<float>(), 1e-30);
            return Math.Max(Relative(input, nativeInput), Relative(weight, nativeWeight));
        }
        finally { SetOneDnn(was); }
    }

    /// <summary>The distinct convolutions of <paramref name="model"/> on a square input of <paramref name="imageSize"/>, found by one forward pass.</summary>
    public static IReadOnlyList<ConvolutionShape> ShapesOf(nn.Module<Tensor, Tensor> model, int imageSize)
    {
        var shapes = new HashSet<ConvolutionShape>();
        var hooks = model.modules().OfType<TorchSharp.Modules.Conv2d>().Select(conv => conv.register_forward_hook((m, input, output) =>
        {
            var c = (TorchSharp.Modules.Conv2d)m;
            shapes.Add(new ConvolutionShape((int)c.in_channels, (int)c.out_channels, (int)c.kernel_size[0], (int)c.stride[0],
                (int)(c.padding?[0] ?? 0), (int)c.groups, (int)input.shape[^1]));
            return output;
        })).ToList();
        try
        {
            using var _ = no_grad();
            using var x = zeros(1, 3, imageSize, imageSize);
            model.eval();
            using var y = model.call(x);
        }
        finally { foreach (var h in hooks) h.remove(); }
        return shapes.OrderBy(s => s.ToString(), StringComparer.Ordinal).ToList();
    }
}
