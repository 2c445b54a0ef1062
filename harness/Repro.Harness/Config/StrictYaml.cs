using System.Reflection;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Repro.Config;

/// <summary>A configuration or expected-results file that does not match its schema.</summary>
public sealed class ConfigException(string message) : Exception(message);

/// <summary>
/// Loads YAML into a typed object after checking every key against the target type, so a typo or a
/// missing key is reported with the file, the line, the key and the allowed names or values.
/// </summary>
public static class StrictYaml
{
    static readonly INamingConvention Naming = UnderscoredNamingConvention.Instance;

    public static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithEnumNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    public static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithEnumNamingConvention(UnderscoredNamingConvention.Instance)
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .DisableAliases()
        .Build();

    public static T LoadFile<T>(string path, string whatToDo)
    {
        if (!File.Exists(path))
            throw new ConfigException($"{path}: file not found. {whatToDo}");
        return Parse<T>(File.ReadAllText(path), path);
    }

    public static T Parse<T>(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ConfigException($"{source}:{e.Start.Line}: malformed YAML: {e.Message}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ConfigException($"{source}: expected a YAML mapping at the top level, found an empty or scalar document");
        Check(root, typeof(T), source, "");
        try
        {
            return Deserializer.Deserialize<T>(text);
        }
        catch (YamlException e)
        {
            var inner = e.InnerException?.Message ?? e.Message;
            throw new ConfigException($"{source}:{e.Start.Line}: {inner}");
        }
    }

    public static void SaveAtomically(string path, object value) =>
        AtomicFile.WriteAllText(path, Serializer.Serialize(value));

    static void Check(YamlNode node, Type type, string source, string at)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            var allowed = EnumNames(type);
            if (node is not YamlScalarNode s || !allowed.Contains(s.Value))
                throw new ConfigException(
                    $"{source}:{node.Start.Line}: '{at}' is '{Describe(node)}'; allowed values: {string.Join(", ", allowed)}");
            return;
        }
        if (type == typeof(string) || type.IsPrimitive || type == typeof(decimal))
        {
            if (node is not YamlScalarNode)
                throw new ConfigException($"{source}:{node.Start.Line}: '{at}' must be a single value, found a {NodeKind(node)}");
            return;
        }
        var listItem = ListItemType(type);
        if (listItem != null)
        {
            if (node is not YamlSequenceNode seq)
                throw new ConfigException($"{source}:{node.Start.Line}: '{at}' must be a list, found a {NodeKind(node)}");
            var i = 0;
            foreach (var child in seq) Check(child, listItem, source, $"{at}[{i++}]");
            return;
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            if (node is not YamlMappingNode dict)
                throw new ConfigException($"{source}:{node.Start.Line}: '{at}' must be a mapping, found a {NodeKind(node)}");
            foreach (var (k, v) in dict) Check(v, type.GetGenericArguments()[1], source, $"{at}.{k}");
            return;
        }
        if (node is not YamlMappingNode map)
            throw new ConfigException($"{source}:{node.Start.Line}: '{at}' must be a mapping of keys, found a {NodeKind(node)}");
        var props = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .ToDictionary(p => Naming.Apply(p.Name), p => p);
        foreach (var (keyNode, value) in map)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            var path = at.Length == 0 ? key : $"{at}.{key}";
            if (!props.TryGetValue(key, out var prop))
                throw new ConfigException(
                    $"{source}:{keyNode.Start.Line}: unknown key '{path}'; allowed keys{(at.Length == 0 ? "" : $" in '{at}'")}: {string.Join(", ", props.Keys)}");
            if (value is YamlScalarNode { Value: "" or "~" or "null" } && IsNullable(prop)) continue;
            Check(value, prop.PropertyType, source, path);
        }
        foreach (var (key, prop) in props)
        {
            if (!prop.CustomAttributes.Any(a => a.AttributeType.FullName == "System.Runtime.CompilerServices.RequiredMemberAttribute")) continue;
            if (!map.Children.ContainsKey(new YamlScalarNode(key)))
                throw new ConfigException(
                    $"{source}:{map.Start.Line}: missing key '{(at.Length == 0 ? key : $"{at}.{key}")}' (required in {(at.Length == 0 ? "the top level" : $"'{at}'")}; keys there: {string.Join(", ", props.Keys)})");
        }
    }

    public static string[] EnumNames(Type enumType) =>
        Enum.GetNames(enumType).Select(n => Naming.Apply(n)).ToArray();

    static bool IsNullable(PropertyInfo p) =>
        !p.PropertyType.IsValueType || Nullable.GetUnderlyingType(p.PropertyType) != null;

    static Type? ListItemType(Type t)
    {
        if (t.IsArray) return t.GetElementType();
        if (t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(List<>) || t.GetGenericTypeDefinition() == typeof(IReadOnlyList<>)))
            return t.GetGenericArguments()[0];
        return null;
    }

    static string Describe(YamlNode n) => n is YamlScalarNode s ? s.Value ?? "" : NodeKind(n);

    static string NodeKind(YamlNode n) => n switch
    {
        YamlMappingNode => "mapping",
        YamlSequenceNode => "list",
        _ => "value",
    };
}
