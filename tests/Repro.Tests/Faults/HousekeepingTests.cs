using System.Diagnostics;
using Repro.Config;

namespace Repro.Tests.Faults;

[Trait("Category", TestCategories.Unit)]
public class HousekeepingTests
{
    [Fact]
    public void Temporaries_of_ended_runs_are_removed_and_those_of_live_runs_kept()
    {
        using var tmp = new TempDir();
        var deadPid = EndedProcessId();
        var dead = AtomicFile.OwnerOf(deadPid);
        var live = AtomicFile.OwnerOf(Environment.ProcessId);
        var checkpoints = Directory.CreateDirectory(tmp.Combine("cache", "checkpoints", "ci", "resnet18-abc")).FullName;
        var deadFile = Write(Path.Combine(checkpoints, $".iter-01.ckpt.{dead}.tmp"), 3000);
        var liveFile = Write(Path.Combine(checkpoints, $".iter-02.ckpt.{live}.tmp"), 10);
        var deadFolder = tmp.Combine("cache", "data", $"scenes-0123.tmp-{dead}");
        Write(Path.Combine(deadFolder, "JPEGImages", "a.png"), 5000);
        Write(Path.Combine(deadFolder, "manifest.yaml"), 100);
        var liveFolder = tmp.Combine("cache", "data", $"synthetic-4567.tmp-{live}");
        Write(Path.Combine(liveFolder, "x.png"), 10);
        var deadReport = Write(tmp.Combine("reports", "ci", "accuracy", $".results.yaml.{dead}.tmp"), 400);
        var kept = Write(Path.Combine(checkpoints, "iter-00.ckpt"), 10);
        // Another machine's temporary on a shared cache: its pid means nothing here.
        var otherMachine = Write(Path.Combine(checkpoints, $".iter-03.ckpt.other_host-{deadPid}.tmp"), 10);
        // An older version's temporary carries the pid alone.
        var olderVersion = Write(Path.Combine(checkpoints, $".iter-04.ckpt.{deadPid}.tmp"), 20);
        var notTemporary = Write(tmp.Combine("cache", "data", "notes.tmp-draft", "a.txt"), 10);

        var log = new List<string>();
        var (count, bytes) = AtomicFile.RemoveDeadTemporaries([tmp.Combine("cache"), tmp.Combine("reports")], log.Add);

        Assert.Equal(4, count);
        Assert.Equal(3000 + 5000 + 100 + 400 + 20, bytes);
        Assert.False(File.Exists(olderVersion));
        Assert.True(File.Exists(otherMachine));
        Assert.False(File.Exists(deadFile));
        Assert.False(Directory.Exists(deadFolder));
        Assert.False(File.Exists(deadReport));
        Assert.True(File.Exists(liveFile));
        Assert.True(Directory.Exists(liveFolder));
        Assert.True(File.Exists(kept));
        Assert.True(File.Exists(notTemporary));
        Assert.Contains(log, l => l.Contains("removed 4 temporary"));

        Assert.Equal((0, 0L), AtomicFile.RemoveDeadTemporaries([tmp.Combine("cache"), tmp.Combine("missing")], log.Add));
    }

    static string Write(string path, int bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, new byte[bytes]);
        return path;
    }

    /// <summary>The pid of a process that has ended (a killed run's pid, as its temporaries carry it).</summary>
    static int EndedProcessId()
    {
        using var p = Process.Start(new ProcessStartInfo("true"))!;
        p.WaitForExit();
        return p.Id;
    }
}
