using System.Collections.Concurrent;
using System.Diagnostics;
using Repro.Config;
using Repro.Training;

namespace Repro.Tests.Faults;

[Trait("Category", TestCategories.Integration)]
public class CacheLockTests
{
    [Fact]
    public void Two_concurrent_runs_on_one_cache_train_the_trajectory_once()
    {
        using var tmp = new TempDir();
        var profile = TestSupport.TinyProfile(iterations: 2);
        _ = TestSupport.Context(profile, tmp.Path).Data.NumClasses; // the data set first, so that both runs meet at the trajectory
        var first = new ConcurrentQueue<string>();
        var second = new ConcurrentQueue<string>();
        using var training = new ManualResetEventSlim();
        using var waiting = new ManualResetEventSlim();
        // The first run, holding the lock, pauses in its first training log line until the second run reports that it waits.
        var firstRun = new Thread(() => new Trajectory(new RunContext(profile, TestSupport.RepoRoot, tmp.Path, null, DeviceChoice.Cpu, m =>
        {
            first.Enqueue(m);
            if (m.Contains(": training ") && !training.IsSet)
            {
                training.Set();
                waiting.Wait(TimeSpan.FromSeconds(60));
            }
        }), profile.Models[0]).Ensure());
        var secondRun = new Thread(() => new Trajectory(new RunContext(profile, TestSupport.RepoRoot, tmp.Path, null, DeviceChoice.Cpu, m =>
        {
            second.Enqueue(m);
            if (m.Contains("waiting for")) waiting.Set();
        }), profile.Models[0]).Ensure());
        firstRun.Start();
        Assert.True(training.Wait(TimeSpan.FromSeconds(60)));
        secondRun.Start();
        firstRun.Join();
        secondRun.Join();

        // iterations 0, 1 and 2 each trained once, by the first run; the second waited and reused them
        Assert.Equal(3, first.Count(l => l.Contains(": training ") && l.Contains(" epochs on ")));
        Assert.DoesNotContain(second, l => l.Contains(": training "));
        Assert.Contains(second, l => l.Contains("waiting for") && l.Contains($"pid={Environment.ProcessId}") && l.Contains("what=training resnet18"));
        Assert.Contains(second, l => l.Contains("cached in") && l.Contains("by another run"));
        Assert.Empty(Directory.GetFiles(tmp.Path, "*.holder", SearchOption.AllDirectories));
    }

    [Fact]
    public void Two_concurrent_runs_generate_a_data_set_once_and_both_get_it()
    {
        using var tmp = new TempDir();
        var dir = tmp.Combine("data", "scenes-0123");
        var generated = 0;
        var log = new ConcurrentQueue<string>();
        var start = new Barrier(2);
        var results = new string[2];
        var runs = Enumerable.Range(0, 2).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            results[i] = AtomicFile.EnsureFolder(dir, "manifest.yaml", folder =>
            {
                Interlocked.Increment(ref generated);
                Directory.CreateDirectory(folder);
                Thread.Sleep(1500); // long enough for the other run to find the lock held
                File.WriteAllText(Path.Combine(folder, "manifest.yaml"), "done\n");
            }, "test scenes", log.Enqueue);
        })).ToList();
        runs.ForEach(t => t.Start());
        runs.ForEach(t => t.Join());

        Assert.Equal(1, generated);
        Assert.Equal([dir, dir], results);
        Assert.True(File.Exists(Path.Combine(dir, "manifest.yaml")));
        Assert.Single(log, l => l.StartsWith("generating test scenes"));
        Assert.Contains(log, l => l.Contains("waiting for") && l.Contains("what=test scenes"));
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
