namespace Repro.Config;

/// <summary>Writes files through a temporary sibling and a rename, so a crash never leaves half a file.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) =>
        Write(path, tmp => File.WriteAllText(tmp, text));

    /// <summary>
    /// Returns <paramref name="dir"/>, first generating it through a temporary sibling and a rename if it lacks
    /// <paramref name="completeMarker"/> (the last file <paramref name="writeTo"/> writes). Generation holds the folder's
    /// <see cref="CacheLock"/>: a concurrent run waits and then reuses the folder instead of generating it again.
    /// </summary>
    public static string EnsureFolder(string dir, string completeMarker, Action<string> writeTo, string what, Action<string>? log)
    {
        if (File.Exists(Path.Combine(dir, completeMarker))) return dir;
        using var entryLock = CacheLock.Acquire(dir, what, log);
        if (File.Exists(Path.Combine(dir, completeMarker))) return dir;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        log?.Invoke($"generating {what} into {dir}");
        var tmp = dir + TempFolderSuffix + Owner;
        if (Directory.Exists(tmp)) Directory.Delete(tmp, true);
        writeTo(tmp);
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
        Directory.Move(tmp, dir);
        log?.Invoke($"{what} ready in {sw.Elapsed.TotalSeconds:F1} s");
        return dir;
    }

    const string TempFolderSuffix = ".tmp-";
    const string TempFileSuffix = ".tmp";

    /// <summary>
    /// Who wrote a temporary: this machine's name and the process id, so that on a cache shared between machines a
    /// live run elsewhere is never taken for a dead one here. Dots are replaced so the name still parses.
    /// </summary>
    internal static string OwnerOf(int pid) => $"{Environment.MachineName.Replace('.', '_')}-{pid}";
    static string Owner => OwnerOf(Environment.ProcessId);

    /// <summary>
    /// Deletes, under each of <paramref name="roots"/>, the temporaries of runs that are no longer alive: files
    /// .&lt;name&gt;.&lt;host&gt;-&lt;pid&gt;.tmp and folders &lt;name&gt;.tmp-&lt;host&gt;-&lt;pid&gt; written on this machine whose
    /// pid is not a running process (and those of older versions, which carry the pid alone). Those of live runs, and
    /// any written on another machine, are kept. Returns what was removed (count, bytes) and logs it.
    /// </summary>
    public static (int Count, long Bytes) RemoveDeadTemporaries(IEnumerable<string> roots, Action<string>? log)
    {
        int count = 0;
        long bytes = 0;
        foreach (var root in roots.Where(Directory.Exists))
            foreach (var (path, isFolder) in Temporaries(root))
            {
                // A concurrent start may be removing the same leftovers.
                try
                {
                    if (isFolder)
                    {
                        var size = new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
                        Directory.Delete(path, true);
                        bytes += size;
                    }
                    else
                    {
                        var size = new FileInfo(path).Length;
                        File.Delete(path);
                        bytes += size;
                    }
                    count++;
                }
                catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { }
            }
        if (count > 0) log?.Invoke($"removed {count} temporary files and folders of ended runs ({bytes / 1048576.0:F1} MiB) under {string.Join(", ", roots)}");
        return (count, bytes);
    }

    static IEnumerable<(string Path, bool IsFolder)> Temporaries(string root)
    {
        var found = new List<(string, bool)>();
        var pending = new Stack<string>([root]);
        while (pending.TryPop(out var dir))
        {
            foreach (var file in Directory.EnumerateFiles(dir, $".*{TempFileSuffix}"))
            {
                var stem = Path.GetFileName(file)[..^TempFileSuffix.Length];
                if (IsDead(stem[(stem.LastIndexOf('.') + 1)..])) found.Add((file, false));
            }
            foreach (var sub in Directory.EnumerateDirectories(dir))
            {
                var name = Path.GetFileName(sub);
                var at = name.LastIndexOf(TempFolderSuffix, StringComparison.Ordinal);
                if (at > 0 && ProcessOf(name[(at + TempFolderSuffix.Length)..]) is not null)
                {
                    if (IsDead(name[(at + TempFolderSuffix.Length)..])) found.Add((sub, true));
                }
                // a symbolic link may lead out of the cache (e.g. to a shared data set): not followed
                else if ((File.GetAttributes(sub) & FileAttributes.ReparsePoint) == 0) pending.Push(sub);
            }
        }
        return found;
    }

    /// <summary>The pid in an owner written on this machine (or a bare pid of an older version); null for anything else.</summary>
    static int? ProcessOf(string owner)
    {
        var dash = owner.LastIndexOf('-');
        if (dash >= 0 && owner[..dash] != Environment.MachineName.Replace('.', '_')) return null;
        return int.TryParse(owner[(dash + 1)..], out var pid) && pid > 0 ? pid : null;
    }

    /// <summary>Whether <paramref name="owner"/> is a process of this machine that is not running (anything else: not ours to delete).</summary>
    static bool IsDead(string owner)
    {
        if (ProcessOf(owner) is not { } pid) return false;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException) { return true; }
    }

    public static void Write(string path, Action<string> writeTo)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Owner}{TempFileSuffix}");
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
