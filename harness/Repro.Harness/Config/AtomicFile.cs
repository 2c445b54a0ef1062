namespace Repro.Config;

/// <summary>Writes files through a temporary sibling and a rename, so a crash never leaves half a file.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) =>
        Write(path, tmp => File.WriteAllText(tmp, text));

    /// <summary>
    /// Returns <paramref name="dir"/>, first generating it through a temporary sibling and a rename if it lacks
    /// <paramref name="completeMarker"/> (the last file <paramref name="writeTo"/> writes). If another process
    /// finished the same folder meanwhile, its copy is kept.
    /// </summary>
    public static string EnsureFolder(string dir, string completeMarker, Action<string> writeTo, string what, Action<string>? log)
    {
        if (File.Exists(Path.Combine(dir, completeMarker))) return dir;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        log?.Invoke($"generating {what} into {dir}");
        var tmp = dir + $".tmp-{Environment.ProcessId}";
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        writeTo(tmp);
        if (File.Exists(Path.Combine(dir, completeMarker)))
        {
            Directory.Delete(tmp, true);
            return dir;
        }
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
        Directory.Move(tmp, dir);
        log?.Invoke($"{what} ready in {sw.Elapsed.TotalSeconds:F1} s");
        return dir;
    }

    public static void Write(string path, Action<string> writeTo)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            writeTo(tmp);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }
}
