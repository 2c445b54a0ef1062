namespace Repro.Config;

/// <summary>Writes files through a temporary sibling and a rename, so a crash never leaves half a file.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) =>
        Write(path, tmp => File.WriteAllText(tmp, text));

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
