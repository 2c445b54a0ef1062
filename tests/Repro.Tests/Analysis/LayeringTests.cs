using System.Reflection;

namespace Repro.Tests.Analysis;

/// <summary>
/// The harness is layered as the paper's pipeline runs: configuration, then data and models, pruning, training,
/// measurement and results, figures, the report, the scheduling of runs (repro submit). A call from a lower layer into a
/// higher one is a dependency cycle.
/// </summary>
[Trait("Category", TestCategories.Unit)]
public class LayeringTests
{
    static readonly string[][] Layers =
    [
        ["Repro.Config"],
        ["Repro.Torch"],
        ["Repro.Data", "Repro.Models"],
        ["Repro.Pruning", "Repro.Interop"],
        ["Repro.Training"],
        ["Repro.Measurement", "Repro.Results"],
        ["Repro.Figures"],
        ["Repro.Report"],
        ["Repro.Scheduling"],
    ];

    static int? LayerOf(Type? type)
    {
        while (type?.DeclaringType != null) type = type.DeclaringType;
        var ns = type?.Namespace;
        if (ns == null || type!.Assembly != typeof(Repro.Config.Profile).Assembly) return null;
        for (var i = 0; i < Layers.Length; i++)
            if (Layers[i].Any(l => ns == l || ns.StartsWith(l + ".", StringComparison.Ordinal))) return i;
        return null;
    }

    [Fact]
    public void No_layer_calls_into_a_layer_above_it()
    {
        var upward = IlCalls.In(typeof(Repro.Config.Profile).Assembly)
            .Select(c => (c.Caller, c.Callee, From: LayerOf(c.Caller.DeclaringType), To: LayerOf(c.Callee.DeclaringType)))
            .Where(c => c.From is { } from && c.To is { } to && to > from)
            .Select(c => $"{Name(c.Caller)} -> {Name(c.Callee)}")
            .Distinct().Order().ToList();
        Assert.True(upward.Count == 0, $"{upward.Count} call(s) into a higher layer:\n" + string.Join("\n", upward));
    }

    [Fact]
    public void No_type_names_a_type_of_a_layer_above_it_in_its_signatures()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var upward = new List<string>();
        foreach (var type in typeof(Repro.Config.Profile).Assembly.GetTypes())
        {
            if (LayerOf(type) is not { } from) continue;
            var named = new[] { type.BaseType }.Concat(type.GetInterfaces())
                .Concat(type.GetFields(all).Select(f => f.FieldType))
                .Concat(type.GetProperties(all).Select(p => p.PropertyType))
                .Concat(type.GetMethods(all).SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType)))
                .Concat(type.GetConstructors(all).SelectMany(c => c.GetParameters().Select(p => p.ParameterType)));
            foreach (var t in named.SelectMany(Unwrap))
                if (LayerOf(t) is { } to && to > from) upward.Add($"{type.FullName} names {t.FullName}");
        }
        upward = upward.Distinct().Order().ToList();
        Assert.True(upward.Count == 0, $"{upward.Count} signature(s) naming a higher layer:\n" + string.Join("\n", upward));
    }

    static IEnumerable<Type> Unwrap(Type? t)
    {
        if (t == null) yield break;
        if (t.HasElementType) { foreach (var e in Unwrap(t.GetElementType())) yield return e; yield break; }
        yield return t;
        if (t.IsGenericType) foreach (var a in t.GetGenericArguments().SelectMany(Unwrap)) yield return a;
    }

    [Fact]
    public void Every_namespace_of_the_harness_has_a_layer()
    {
        var unplaced = typeof(Repro.Config.Profile).Assembly.GetTypes()
            .Where(t => t.Namespace?.StartsWith("Repro", StringComparison.Ordinal) == true && LayerOf(t) == null)
            .Select(t => t.Namespace).Distinct().ToList();
        Assert.Empty(unplaced);
    }

    static string Name(MethodBase m)
    {
        var type = m.DeclaringType!;
        while (type.DeclaringType != null) type = type.DeclaringType;
        return $"{type.FullName}.{m.Name}";
    }
}
