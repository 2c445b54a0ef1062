using System.IO.Hashing;
using System.Text;

namespace Repro.Config;

/// <summary>
/// The XXH128 content hash every checkpoint and results file carries, checked on load: a flipped bit or a
/// truncated write is refused with the file's name instead of reaching a figure as wrong numbers.
/// YAML files end with a comment line holding the hash of every line above it; binary files end with the
/// 16 hash bytes and a tag.
/// </summary>
public static class ContentHash
{
    const string YamlPrefix = "# content-hash: xxh128 ";
    const int HashLength = 16;
    static readonly byte[] BinaryTag = "REPRO-XXH128"u8.ToArray();
    static int TrailerLength => HashLength + BinaryTag.Length;

    /// <summary>The error for a checkpoint or results file that fails its hash: the file, what is wrong, what to do.</summary>
    public static InvalidDataException Damaged(string path, string problem, string whatToDo) => new($"{path}: {problem}. {whatToDo}");

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(XxHash128.Hash(bytes));

    /// <summary>Writes <paramref name="value"/> as YAML with its hash line, atomically; returns the hash.</summary>
    public static string SaveYaml(string path, object value)
    {
        var body = Body(StrictYaml.Serializer.Serialize(value));
        var hash = Of(Encoding.UTF8.GetBytes(body));
        AtomicFile.WriteAllText(path, body + YamlPrefix + hash + "\n");
        return hash;
    }

    /// <summary>The hash a YAML file written by <see cref="SaveYaml"/> carries (not checked against its content), or null.</summary>
    public static string? StoredYamlHash(string path)
    {
        var last = File.ReadLines(path).LastOrDefault();
        return last != null && last.StartsWith(YamlPrefix, StringComparison.Ordinal) ? last[YamlPrefix.Length..].Trim() : null;
    }

    /// <summary>Reads a YAML file written by <see cref="SaveYaml"/>, refusing it if its hash does not match.</summary>
    public static T LoadYaml<T>(string path, string whatToDo)
    {
        if (!File.Exists(path))
            throw new ConfigException($"{path}: file not found. {whatToDo}");
        return StrictYaml.Parse<T>(UnsealYaml(File.ReadAllText(path), path, whatToDo), path);
    }

    static string Body(string yaml) => yaml.EndsWith('\n') ? yaml : yaml + "\n";

    /// <summary>The text above the hash line, after checking it against the hash.</summary>
    public static string UnsealYaml(string text, string path, string whatToDo)
    {
        var end = text.EndsWith('\n') ? text.Length - 1 : text.Length;
        var start = text.LastIndexOf('\n', Math.Max(0, end - 1)) + 1;
        var last = text[start..end];
        if (!last.StartsWith(YamlPrefix, StringComparison.Ordinal))
            throw Damaged(path,
                "has no content hash (its last line should be '" + YamlPrefix + "…'): it was cut short, edited by hand or written by an older version", whatToDo);
        var body = text[..start];
        var stored = last[YamlPrefix.Length..].Trim();
        var computed = Of(Encoding.UTF8.GetBytes(body));
        if (stored != computed)
            throw Damaged(path, $"content does not match its hash (stored {stored}, computed {computed}): the file is damaged", whatToDo);
        return body;
    }

    /// <summary>Appends the hash of the file's bytes and the tag (run on the temporary file, before the atomic rename).</summary>
    public static void SealFile(string path)
    {
        var hash = HashOf(path, new FileInfo(path).Length);
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write);
        stream.Write(hash);
        stream.Write(BinaryTag);
    }

    /// <summary>Checks a file sealed by <see cref="SealFile"/>; returns the length of its content (without the trailer).</summary>
    public static long VerifyFile(string path, string whatToDo)
    {
        var length = new FileInfo(path).Length;
        if (length < TrailerLength)
            throw Damaged(path, $"is {length} bytes, too short to hold its content hash: the file is truncated", whatToDo);
        var trailer = new byte[TrailerLength];
        using (var stream = File.OpenRead(path))
        {
            stream.Seek(length - TrailerLength, SeekOrigin.Begin);
            stream.ReadExactly(trailer);
        }
        if (!trailer.AsSpan(HashLength).SequenceEqual(BinaryTag))
            throw Damaged(path, "does not end with its content hash: the file is truncated or was written by an older version", whatToDo);
        var content = length - TrailerLength;
        var computed = HashOf(path, content);
        if (!computed.AsSpan().SequenceEqual(trailer.AsSpan(0, HashLength)))
            throw Damaged(path,
                $"content does not match its hash (stored {Convert.ToHexStringLower(trailer, 0, HashLength)}, computed {Convert.ToHexStringLower(computed)}): the file is damaged",
                whatToDo);
        return content;
    }

    static byte[] HashOf(string path, long length)
    {
        var hash = new XxHash128();
        var buffer = new byte[1 << 20];
        using var stream = File.OpenRead(path);
        for (long left = length; left > 0;)
        {
            var n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n == 0) throw new EndOfStreamException($"{path}: ended before {length} bytes");
            hash.Append(buffer.AsSpan(0, n));
            left -= n;
        }
        return hash.GetCurrentHash();
    }
}
