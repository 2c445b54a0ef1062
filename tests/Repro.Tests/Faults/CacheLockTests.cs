using System.Collections.Concurrent;
using System.Diagnostics;
using Repro.Config;
using Repro.Training;

namespace Repro.Tests.Faults;

public class CacheLockTests
{
    [Fact]
    public void Two_concurrent_runs_on_one_cache_train_the_trajectory_and_generate_the_data_once()
    {
        using var tmp = new TempDir();
        var profile = TestSupport.TinyProfile(iterations: 1);
        var logs = new[] { new ConcurrentQueue<string>(), new ConcurrentQueue<string>() };
        var start = new Barrier(2);
        var runs = logs.Select(log => new Thread(() =>
        {
            var context = new RunContext(profile, TestSupport.RepoRoot, tmp.Path, null, DeviceChoice.Cpu, log.Enqueue);
            start.SignalAndWait();
            new Trajectory(context, profile.Models[0]).Ensure();
        })).ToList();
        runs.ForEach(t => t.Start());
        runs.ForEach(t => t.Join());

        var all = logs.SelectMany(l => l).ToList();
        // iterations 0 and 1 each trained by exactly one of the two runs; the data set generated once
        Assert.Equal(2, all.Count(l => l.Contains(": training ") && l.Contains(" epochs on ")));
        Assert.Single(all, l => l.StartsWith("generating "));
        Assert.Contains(all, l => l.Contains("waiting for") && l.Contains($"pid={Environment.ProcessId}"));
        Assert.Contains(all, l => l.Contains("cached in") && l.Contains("by another run"));
        Assert.Empty(Directory.GetFiles(tmp.Path, "*.holder", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_waiting_run_names_the_holder_and_takes_the_lock_over_when_the_holder_is_killed()
    {
        using var tmp = new TempDir();
        var entry = tmp.Combine("checkpoints", "tiny", "resnet18-0123456789");
        Directory.CreateDirectory(Path.GetDirectoryName(entry)!);
        // A process holding the same kind of lock (flock(2), exclusive) as the suite stands in for a run that dies holding it.
        using var holder = Process.Start(new ProcessStartInfo("bash")
            { ArgumentList = { "-c", "exec 9>\"$0\" && flock -x 9 && exec sleep 60", CacheLock.LockPath(entry) } })!;
        File.WriteAllText(CacheLock.HolderPath(entry), $"host={Environment.MachineName} pid={holder.Id} since=2025-01-01T00:00:00Z what=training x\n");
        WaitUntil(() => IsLocked(CacheLock.LockPath(entry)));

        var log = new ConcurrentQueue<string>();
        var acquire = Task.Run(() => CacheLock.Acquire(entry, "training y", log.Enqueue, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(20)));
        WaitUntil(() => log.Count(l => l.Contains("waiting for")) >= 2);
        Assert.False(acquire.IsCompleted);
        Assert.Contains(log, l => l.Contains($"pid={holder.Id}") && l.Contains("waited"));

        holder.Kill();
        holder.WaitForExit();
        using (var taken = await acquire.WaitAsync(TimeSpan.FromSeconds(30)))
        {
            Assert.Contains(log, l => l.Contains("taking over") && l.Contains($"pid={holder.Id}"));
            Assert.Contains($"pid={Environment.ProcessId}", CacheLock.Holder(entry));
            Assert.True(IsLocked(CacheLock.LockPath(entry)));
        }
        Assert.Null(CacheLock.Holder(entry));
        Assert.False(IsLocked(CacheLock.LockPath(entry)));
    }

    static bool IsLocked(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException e) when (e is not FileNotFoundException) { return true; }
        catch (FileNotFoundException) { return false; }
    }

    static void WaitUntil(Func<bool> condition)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException("condition not reached in 30 s");
            Thread.Sleep(20);
        }
    }
}
