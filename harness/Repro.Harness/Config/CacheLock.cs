using System.Diagnostics;
using System.Globalization;

namespace Repro.Config;

/// <summary>
/// An advisory lock on one cache entry (a trajectory's checkpoint folder, a generated data set): an exclusive open
/// of &lt;entry&gt;.lock, which the operating system releases when the holder exits however it exits, so the lock of
/// a killed run is taken over without anyone deleting it. Who holds it is plain text in &lt;entry&gt;.holder
/// (host, pid, start, what), readable while the lock is held, so that waiting runs and schedulers can say who they
/// wait for.
/// </summary>
public sealed class CacheLock : IDisposable
{
    readonly FileStream _stream;
    readonly string _holderPath;

    CacheLock(FileStream stream, string holderPath) => (_stream, _holderPath) = (stream, holderPath);

    public static string LockPath(string entry) => Path.TrimEndingDirectorySeparator(entry) + ".lock";
    public static string HolderPath(string entry) => Path.TrimEndingDirectorySeparator(entry) + ".holder";

    /// <summary>This process as a holder line: host, pid, start time, and what it does under the lock.</summary>
    public static string Describe(string what) => string.Create(CultureInfo.InvariantCulture,
        $"host={Environment.MachineName} pid={Environment.ProcessId}{SlurmJob()} since={DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} what={what}");

    /// <summary>" job=&lt;array job&gt;_&lt;task&gt;" (or the job id) inside a Slurm job, so that the holder can be found with squeue; "" outside.</summary>
    static string SlurmJob() => Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID") is { Length: > 0 } array
        ? $" job={array}_{Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID")}"
        : Environment.GetEnvironmentVariable("SLURM_JOB_ID") is { Length: > 0 } job ? $" job={job}" : "";

    /// <summary>Whether a run holds <paramref name="entry"/>'s lock now (a holder line left by a run that died does not count).</summary>
    public static bool IsHeld(string entry)
    {
        if (!File.Exists(LockPath(entry))) return false;
        using var probe = TryOpenExclusive(LockPath(entry));
        return probe == null;
    }

    /// <summary>The holder line of <paramref name="entry"/>'s lock, or null when none was written.</summary>
    public static string? Holder(string entry)
    {
        try { return File.ReadAllText(HolderPath(entry)).Trim(); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
    }

    /// <summary>
    /// Takes the lock of <paramref name="entry"/>, waiting while another run holds it (with a log line naming the holder,
    /// repeated every <paramref name="progressEvery"/>, 30 s by default). The caller re-checks the entry afterwards: the
    /// previous holder may have finished the work.
    /// </summary>
    public static CacheLock Acquire(string entry, string what, Action<string>? log, TimeSpan? progressEvery = null, TimeSpan? poll = null)
    {
        var lockPath = LockPath(entry);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(lockPath))!);
        var every = progressEvery ?? TimeSpan.FromSeconds(30);
        var pause = poll ?? TimeSpan.FromMilliseconds(500);
        var waited = Stopwatch.StartNew();
        // the first report after one pause, by when a holder that just took the lock has written its line
        var nextReport = pause;
        var reported = false;
        while (true)
        {
            if (TryOpenExclusive(lockPath) is { } stream)
            {
                var previous = Holder(entry);
                if (previous != null)
                    log?.Invoke($"{what}: taking over the lock of {entry} from a run that ended without releasing it ({previous})");
                AtomicFile.WriteAllText(HolderPath(entry), Describe(what) + "\n");
                return new CacheLock(stream, HolderPath(entry));
            }
            if (waited.Elapsed >= nextReport)
            {
                log?.Invoke($"{what}: waiting for {entry}, locked by {Holder(entry) ?? "another run"}" +
                            (reported ? $" (waited {waited.Elapsed:hh\\:mm\\:ss})" : "; its work will be reused"));
                reported = true;
                nextReport = waited.Elapsed + every;
            }
            Thread.Sleep(pause);
        }
    }

    static FileStream? TryOpenExclusive(string path)
    {
        try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && (e.HResult & 0xFFFF) is 11 or 32 or 33)
        {
            return null; // EWOULDBLOCK on Unix; sharing or lock violation on Windows
        }
    }

    public void Dispose()
    {
        // The holder line goes first: a waiter that sees the lock free finds no stale holder to report.
        File.Delete(_holderPath);
        _stream.Dispose();
    }
}
