using System.Collections.Concurrent;
using TorchSharp;

namespace Repro.Torch;

/// <summary>
/// Scalars that live for the whole process. TorchSharp 0.107 reads a Scalar's native handle and then calls
/// libtorch without keeping the Scalar reachable, and a Scalar's finalizer frees its native value; a
/// temporary Scalar (an implicit number-to-Scalar conversion, or one TorchSharp makes inside add_(Tensor),
/// BatchNorm's forward or optim.SGD's step) can therefore be freed by a collection on another thread while
/// libtorch still reads it ("Unknown scalar type", or a wrong value). Cached Scalars are never collected;
/// values that change at run time use a Scalar held in a field or a <c>using</c> local instead.
/// Keys are the value's bits, so 0.0 and -0.0 stay distinct. The Scalar keeps its C# type (int, long,
/// float, double), as the implicit conversion did, so integer tensors keep integer arithmetic.
/// </summary>
public static class Scalars
{
    static readonly ConcurrentDictionary<int, Scalar> Ints = new();
    static readonly ConcurrentDictionary<long, Scalar> Longs = new();
    static readonly ConcurrentDictionary<int, Scalar> Floats = new();
    static readonly ConcurrentDictionary<long, Scalar> Doubles = new();

    /// <summary>The integer 1: TorchSharp's default alpha, passed explicitly.</summary>
    public static Scalar One { get; } = Of(1);

    public static Scalar Of(int value)
    {
        if (Ints.TryGetValue(value, out var cached)) return cached;
        var created = value.ToScalar();
        return Ints.GetOrAdd(value, created); // a racing thread may add first: its Scalar is kept, this one dropped unused
    }

    public static Scalar Of(long value)
    {
        if (Longs.TryGetValue(value, out var cached)) return cached;
        var created = value.ToScalar();
        return Longs.GetOrAdd(value, created);
    }

    public static Scalar Of(float value)
    {
        var key = BitConverter.SingleToInt32Bits(value);
        if (Floats.TryGetValue(key, out var cached)) return cached;
        var created = value.ToScalar();
        return Floats.GetOrAdd(key, created);
    }

    public static Scalar Of(double value)
    {
        var key = BitConverter.DoubleToInt64Bits(value);
        if (Doubles.TryGetValue(key, out var cached)) return cached;
        var created = value.ToScalar();
        return Doubles.GetOrAdd(key, created);
    }
}
