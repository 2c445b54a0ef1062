using System.Reflection;
using System.Reflection.Emit;

namespace Repro.Tests.Analysis;

/// <summary>One call instruction (or a delegate's method load) in a method body, with the instruction that follows it.</summary>
public sealed record IlCall(MethodBase Caller, MethodBase Callee, OpCode Op, OpCode Next);

/// <summary>
/// Reads the call instructions out of compiled method bodies (IL), so tests can check what an assembly
/// calls without a decompiler: every method, constructor, lambda and iterator of every type, nested and
/// compiler-generated ones included.
/// </summary>
public static class IlCalls
{
    const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                    BindingFlags.Static | BindingFlags.DeclaredOnly;

    static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    public static IEnumerable<MethodBase> MethodsOf(Assembly assembly) =>
        assembly.GetTypes().SelectMany(t =>
            t.GetMethods(Everything).Cast<MethodBase>().Concat(t.GetConstructors(Everything)));

    public static IEnumerable<IlCall> In(Assembly assembly) => MethodsOf(assembly).SelectMany(In);

    public static IEnumerable<IlCall> In(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il == null) yield break;
        var instructions = Decode(il).ToList();
        for (var i = 0; i < instructions.Count; i++)
        {
            var (op, operand) = instructions[i];
            if (op != OpCodes.Call && op != OpCodes.Callvirt && op != OpCodes.Newobj && op != OpCodes.Ldftn && op != OpCodes.Ldvirtftn) continue;
            var callee = Resolve(method, operand);
            if (callee == null) continue;
            var next = i + 1 < instructions.Count ? instructions[i + 1].Op : OpCodes.Nop;
            yield return new IlCall(method, callee, op, next);
        }
    }

    static MethodBase? Resolve(MethodBase method, int token)
    {
        var typeArgs = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        try { return method.Module.ResolveMethod(token, typeArgs, methodArgs); }
        catch (ArgumentException) { return null; } // a vararg or unresolvable reference: not a TorchSharp call
    }

    /// <summary>Opcodes with their 4-byte operand (the token for calls; 0 for other operand sizes).</summary>
    static IEnumerable<(OpCode Op, int Operand)> Decode(byte[] il)
    {
        var pos = 0;
        while (pos < il.Length)
        {
            short value = il[pos++];
            if (value == 0xFE) value = (short)(0xFE00 | il[pos++]);
            var op = OpCodesByValue[value];
            var operand = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, pos),
                _ => 4,
            };
            var token = op.OperandType == OperandType.InlineMethod ? BitConverter.ToInt32(il, pos) : 0;
            pos += operand;
            yield return (op, token);
        }
    }
}
