using System.Reflection;
using System.Reflection.Emit;
using Repro.Models;
using TorchSharp;

namespace Repro.Tests.Analysis;

/// <summary>
/// TorchSharp 0.107 reads a Scalar's handle, then calls libtorch without keeping the Scalar reachable, and
/// the Scalar's finalizer frees the native value: a temporary Scalar can be freed by a collection on another
/// thread mid-call ("Unknown scalar type", or a wrong alpha). These tests read the IL of the harness and the
/// CLI and fail on every call that makes such a temporary, directly or inside TorchSharp.
/// </summary>
[Trait("Category", TestCategories.Unit)]
public class ScalarLifetimeTests
{
    static readonly Type ScalarType = typeof(Scalar);
    static readonly Assembly TorchSharpAssembly = ScalarType.Assembly;
    static readonly Assembly[] Scanned = [typeof(ResNet).Assembly, Assembly.Load("repro")];

    static (Module, int) Key(MethodBase m) => (m.Module, m.MetadataToken);

    static bool MakesScalar(MethodBase m) =>
        m.DeclaringType == ScalarType && (m.Name == "op_Implicit" || m.IsConstructor) ||
        m.Name == "ToScalar" && m is MethodInfo { ReturnType: var r } && r == ScalarType;

    /// <summary>
    /// TorchSharp methods that make a temporary Scalar, directly or through other TorchSharp methods
    /// (delegates included): computed from TorchSharp's IL, so a new TorchSharp version is re-read, not trusted.
    /// </summary>
    static readonly Lazy<HashSet<(Module, int)>> TorchSharpAllocators = new(() =>
    {
        var callers = new Dictionary<(Module, int), List<MethodBase>>();
        var found = new Queue<MethodBase>();
        foreach (var method in IlCalls.MethodsOf(TorchSharpAssembly))
        {
            // Scalar's own members and the ToScalar conversions hand their Scalar back to the caller: their callers are judged.
            if (method.DeclaringType == ScalarType || method.DeclaringType == typeof(ScalarExtensionMethods)) continue;
            foreach (var call in IlCalls.In(method))
            {
                if (MakesScalar(call.Callee)) found.Enqueue(method);
                else if (call.Callee.Module.Assembly == TorchSharpAssembly)
                {
                    if (!callers.TryGetValue(Key(call.Callee), out var list)) callers[Key(call.Callee)] = list = [];
                    list.Add(method);
                }
            }
        }
        var allocators = new HashSet<(Module, int)>();
        while (found.TryDequeue(out var method))
            if (allocators.Add(Key(method)) && callers.TryGetValue(Key(method), out var list))
                foreach (var caller in list) found.Enqueue(caller);
        return allocators;
    });

    static bool Allocates(MethodBase m) => TorchSharpAllocators.Value.Contains(Key(m));

    /// <summary>TorchSharp classes the code builds (directly or from a factory) whose forward or step is reached by virtual calls.</summary>
    static Type? TorchSharpTypeObtained(IlCall call) =>
        (call.Op == OpCodes.Newobj ? call.Callee.DeclaringType : (call.Callee as MethodInfo)?.ReturnType) is { IsClass: true } t &&
        t.Assembly == TorchSharpAssembly ? t : null;

    static IEnumerable<string> OffendingCalls(Assembly assembly)
    {
        foreach (var call in IlCalls.In(assembly))
        {
            var where = $"{call.Caller.DeclaringType?.FullName}.{call.Caller.Name}";
            if (call.Callee.DeclaringType == ScalarType && call.Callee.Name == "op_Implicit")
                yield return $"{where}: implicit conversion to Scalar ({call.Callee})";
            else if (MakesScalar(call.Callee) && !IsStore(call.Next))
                yield return $"{where}: {call.Callee.Name}() result used without being kept in a field or a using local";
            else if (call.Callee.Module.Assembly == TorchSharpAssembly && Allocates(call.Callee))
                yield return $"{where}: {call.Callee.DeclaringType?.Name}.{call.Callee} makes a temporary Scalar inside TorchSharp";
            if (TorchSharpTypeObtained(call) is { } type)
                foreach (var entry in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
                             .Where(m => m.Name is "forward" or "step" && m.DeclaringType!.Assembly == TorchSharpAssembly && Allocates(m)))
                    yield return $"{where}: uses {type.Name}, whose {entry.DeclaringType!.Name}.{entry.Name} makes a temporary Scalar inside TorchSharp";
        }
    }

    static bool IsStore(OpCode op) => op.Name!.StartsWith("stloc") || op == OpCodes.Stfld || op == OpCodes.Stsfld;

    [Fact]
    public void The_analysis_finds_TorchSharps_known_temporary_Scalars()
    {
        // Read from TorchSharp 0.107's IL: add_(Tensor) passes Scalar(1) as alpha, tensor * int converts the int,
        // BatchNorm's training forward adds Scalar(1) to its step count, SGD's step converts lr, momentum and decay.
        var tensor = typeof(torch.Tensor);
        Assert.True(Allocates(tensor.GetMethod("add_", [tensor])!));
        Assert.True(Allocates(tensor.GetMethod("op_Multiply", [tensor, typeof(int)])!));
        Assert.True(Allocates(typeof(TorchSharp.Modules.BatchNorm).GetMethod("forward", [tensor])!));
        Assert.True(Allocates(typeof(TorchSharp.Modules.SGD).GetMethod("step")!));
        Assert.False(Allocates(tensor.GetMethod("add_", [tensor, ScalarType])!));
    }

    [Fact]
    public void Harness_and_cli_make_no_temporary_Scalars()
    {
        var offending = Scanned.SelectMany(OffendingCalls).Distinct().Order().ToList();
        Assert.True(offending.Count == 0,
            $"{offending.Count} call(s) make a Scalar that a collection can free while libtorch reads it. Use a cached " +
            "Repro.Torch.Scalars.Of(...) for constants, a Scalar held in a field or a using local for values that change, " +
            "and pass alpha explicitly (add_(t, Scalars.One)):\n" + string.Join("\n", offending));
    }
}
