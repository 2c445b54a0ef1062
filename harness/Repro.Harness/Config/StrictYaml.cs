using System.Reflection;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
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

    public static T Parse<T>(string text, string source) => Parse<T>(text, source, new Dictionary<string, Type>(), []);

    /// <summary>
    /// As <see cref="Parse{T}(string, string)"/>, where the top level may also hold the <paramref name="sections"/> (key →
    /// type) that <typeparamref name="T"/> does not declare: each is checked as strictly against its own type, read into
    /// <paramref name="found"/>, and left out of <typeparamref name="T"/>. Line numbers stay those of the file.
    /// </summary>
    public static T Parse<T>(string text, string source, IReadOnlyDictionary<string, Type> sections, Dictionary<string, object> found)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (Exception e)
        {
            throw Malformed(text, source, e);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ConfigException($"{source}: expected a YAML mapping at the top level, found an empty or scalar document");
        text = TakeSections(text, root, sections, found, source);
        Check(root, typeof(T), source, "");
        try
        {
            return Deserializer.Deserialize<T>(text);
        }
        catch (Exception e) when (e is not ConfigException)
        {
            var detail = e.InnerException?.Message ?? e.Message;
            if (e is not YamlException y) throw new ConfigException($"{source}: {detail}");
            if (Locate(root, typeof(T), y.Start, "") is not { } at) throw new ConfigException($"{source}:{y.Start.Line}: {detail}");
            throw new ConfigException($"{source}:{y.Start.Line}: '{at.Path}' is '{at.Value}' ({detail}); write {Expectation(at.Type)}");
        }
    }

    /// <summary>
    /// Reads each of <paramref name="sections"/> present at the top level into <paramref name="found"/>, removes it from
    /// <paramref name="root"/>, and returns the text with its lines blanked (so the rest keeps its line numbers).
    /// </summary>
    static string TakeSections(string text, YamlMappingNode root, IReadOnlyDictionary<string, Type> sections, Dictionary<string, object> found, string source)
    {
        var lines = text.Split('\n');
        foreach (var (keyNode, value) in root.Children.ToList())
        {
            if (keyNode is not YamlScalarNode { Value: { } key } || !sections.TryGetValue(key, out var type)) continue;
            Check(value, type, source, key);
            // The section's lines: from its key to the line before the next top-level key (indented, blank and comment lines go with it).
            var first = (int)keyNode.Start.Line - 1;
            var last = first;
            while (last + 1 < lines.Length && (lines[last + 1].Length == 0 || lines[last + 1][0] is ' ' or '\t' or '#' or '\r')) last++;
            var wrapper = typeof(Dictionary<,>).MakeGenericType(typeof(string), type);
            var read = (System.Collections.IDictionary)Deserializer.Deserialize(string.Join('\n', lines[first..(last + 1)]) + "\n", wrapper)!;
            found[key] = read[key] ?? Activator.CreateInstance(type)!;
            for (var i = first; i <= last; i++) lines[i] = "";
            root.Children.Remove(keyNode);
        }
        return string.Join('\n', lines);
    }

    /// <summary>
    /// A load error with its line and key. YamlDotNet's scanner throws InvalidOperationException, with no position, on
    /// some malformed input (an unclosed '[' or '{'), so the parser is replayed to see which key it was reading.
    /// </summary>
    static ConfigException Malformed(string text, string source, Exception error)
    {
        var open = new List<Collection>();
        var last = Mark.Empty;
        var parser = new Parser(new StringReader(text));
        try
        {
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                last = current.Start;
                switch (current)
                {
                    case MappingStart m:
                        open.Add(new Collection(true, Current(open), m.Start, m.Style == MappingStyle.Flow));
                        break;
                    case SequenceStart q:
                        open.Add(new Collection(false, Current(open), q.Start, q.Style == SequenceStyle.Flow));
                        break;
                    case MappingEnd or SequenceEnd:
                        open.RemoveAt(open.Count - 1);
                        ValueDone(open);
                        break;
                    case Scalar k when open.Count > 0 && open[^1] is { Mapping: true, Key: null }:
                        open[^1].Key = k.Value;
                        break;
                    case Scalar or AnchorAlias:
                        ValueDone(open);
                        break;
                }
            }
        }
        catch (Exception) { } // the replay stops where the load did
        var key = Current(open);
        var where = key.Length == 0 ? "at the top level" : $"in '{key}'";
        var yaml = error as YamlException;
        // A bracket left open swallows the lines after it, so the parser fails further down (or, with no position, at all).
        if (open.FirstOrDefault(c => c.Flow) is { } unclosed && (yaml == null || yaml.Start.Line > unclosed.Start.Line))
            return new ConfigException(
                $"{source}:{unclosed.Start.Line}: malformed YAML: the {(unclosed.Mapping ? "'{' mapping" : "'[' list")} of '{unclosed.Path}' is never closed" +
                (yaml == null ? "" : $" (the parser stopped on line {yaml.Start.Line}: {yaml.Message})") +
                $"; close it with '{(unclosed.Mapping ? '}' : ']')}' on its line, or write the value without brackets");
        if (yaml != null)
            return new ConfigException($"{source}:{yaml.Start.Line}: malformed YAML {where}: {yaml.Message}");
        return new ConfigException($"{source}:{last.Line}: malformed YAML {where}: {error.Message}");
    }

    /// <summary>A mapping or list open during the replay, and where in it the parser is.</summary>
    sealed class Collection(bool mapping, string path, Mark start, bool flow)
    {
        public bool Mapping { get; } = mapping;
        public string Path { get; } = path;
        public Mark Start { get; } = start;
        public bool Flow { get; } = flow;
        /// <summary>The key whose value is being read; null while a key is awaited.</summary>
        public string? Key { get; set; }
        public int Index { get; set; }
    }

    static string Current(List<Collection> open) => open.Count == 0 ? "" : open[^1] switch
    {
        { Mapping: true, Key: null } c => c.Path,
        { Mapping: true } c => c.Path.Length == 0 ? c.Key! : $"{c.Path}.{c.Key}",
        var c => $"{c.Path}[{c.Index}]",
    };

    static void ValueDone(List<Collection> open)
    {
        if (open.Count == 0) return;
        if (open[^1].Mapping) open[^1].Key = null;
        else open[^1].Index++;
    }

    /// <summary>The key, text and target type of the scalar at <paramref name="at"/>, where the deserializer failed.</summary>
    static (string Path, string Value, Type Type)? Locate(YamlNode node, Type type, Mark at, string path)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        switch (node)
        {
            case YamlScalarNode s:
                return s.Start.Line == at.Line && s.Start.Column == at.Column ? (path, s.Value ?? "", type) : null;
            case YamlSequenceNode seq when ListItemType(type) is { } item:
                return seq.Select((child, i) => Locate(child, item, at, $"{path}[{i}]")).FirstOrDefault(found => found != null);
            case YamlMappingNode map:
                foreach (var (keyNode, value) in map)
                {
                    var key = ((YamlScalarNode)keyNode).Value ?? "";
                    var valueType = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>)
                        ? type.GetGenericArguments()[1]
                        : type.GetProperties(BindingFlags.Public | BindingFlags.Instance).FirstOrDefault(p => Naming.Apply(p.Name) == key)?.PropertyType;
                    if (valueType != null && Locate(value, valueType, at, path.Length == 0 ? key : $"{path}.{key}") is { } found) return found;
                }
                return null;
            default:
                return null;
        }
    }

    static string Expectation(Type type) => Type.GetTypeCode(type) switch
    {
        TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32
            or TypeCode.Int64 or TypeCode.UInt64 => "a whole number, e.g. 8",
        TypeCode.Single or TypeCode.Double or TypeCode.Decimal => "a number, e.g. 0.5",
        TypeCode.Boolean => "true or false",
        _ => $"a value of the key's type ({type.Name})",
    };

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
