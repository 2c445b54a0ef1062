using System.Reflection;
using Repro.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Tests.Measurement;

/// <summary>libtorch must not run on two threads at once: every test that touches tensors joins this collection.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTorch
{
    public const string Name = "serial libtorch (measurement)";
}

static class TorchTestSupport
{
    /// <summary>
    /// A quarter-width ResNet-18 in eval mode, initialised from a fixed seed. Every channel count is a multiple of
    /// 16: libtorch 2.10's oneDNN kernels return wrong input gradients on AVX-512 for float32 convolutions with other
    /// output-channel counts (measured: 4, 8, 12, 24 wrong; 16, 32 right), should a test run with oneDNN on.
    /// </summary>
    public static ResNet SmallResNet(int seed = 1, int classes = 10)
    {
        manual_seed(seed);
        var model = new ResNet("resnet18", bottleneck: false, [2, 2, 2, 2], classes, width: 0.25);
        model.eval();
        return model;
    }

    public static Tensor Images(long batch, long height, long width, int seed = 7, ScalarType dtype = ScalarType.Float32)
    {
        using var generator = new Generator((ulong)seed, CPU);
        return randn([batch, 3, height, width], dtype: dtype, generator: generator);
    }

    /// <summary>Forward hooks registered on a module (TorchSharp keeps them in a protected dictionary).</summary>
    public static int ForwardHookCount(nn.Module module)
    {
        for (var type = module.GetType(); type != null; type = type.BaseType)
            if (type.GetField("post_hooks", BindingFlags.Instance | BindingFlags.NonPublic) is { } field)
                return ((System.Collections.ICollection)field.GetValue(module)!).Count;
        throw new InvalidOperationException($"{module.GetType().Name} keeps no forward hooks");
    }

    public static float[] Values(Tensor t)
    {
        using var cpu = t.detach().to(ScalarType.Float32, CPU).contiguous();
        return cpu.data<float>().ToArray();
    }

    public static double[] Doubles(Tensor t)
    {
        using var cpu = t.detach().to(ScalarType.Float64, CPU).contiguous();
        return cpu.data<double>().ToArray();
    }

    public static void AllClose(Tensor expected, Tensor actual, double tolerance)
    {
        Assert.Equal(expected.shape, actual.shape);
        var e = Doubles(expected);
        var a = Doubles(actual);
        var scale = Math.Max(1e-12, e.Max(Math.Abs));
        for (var i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tolerance * scale,
                $"element {i}: expected {e[i]}, got {a[i]} (tolerance {tolerance} x max |expected| {scale})");
    }
}
