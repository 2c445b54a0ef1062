using System.Diagnostics;
using Repro.Config;
using Repro.Figures;

namespace Repro.Tests.Faults;

/// <summary>A real process killed (SIGKILL) while it writes a checkpoint: the rerun resumes and ends byte-identical.</summary>
[Trait("Category", TestCategories.Integration)]
public class KillTests
{
    static Process Start(string repo, string cache)
    {
        var process = Process.Start(TestSupport.ReproCli("reproduce", "--profile", "tiny", "--figures", "accuracy", "--device", "cpu",
            "--repo-root", repo, "--cache-dir", cache))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    static void RunToEnd(string repo, string cache)
    {
        using var process = Start(repo, cache);
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(10)), "the run did not finish in 10 minutes");
        // No expected results for the tiny profile: the figure is measured and reported, and the check says so (1).
        Assert.Equal(1, process.ExitCode);
    }

    [Fact]
    public void A_run_killed_while_writing_a_checkpoint_resumes_to_byte_identical_checkpoints_and_metrics()
    {
        using var repo = new TempDir();
        var profile = TestSupport.TinyProfile(iterations: 2);
        profile.Performance.Threads = 2;
        Directory.CreateDirectory(repo["profiles"]);
        File.WriteAllText(repo["profiles/tiny.yaml"], ProfileLoader.Write(profile));

        var straight = repo["cache-straight"];
        RunToEnd(repo.Path, straight);

        var killed = repo["cache-killed"];
        Directory.CreateDirectory(killed);
        using (var watcher = new FileSystemWatcher(killed, "*.tmp") { IncludeSubdirectories = true })
        using (var process = Start(repo.Path, killed))
        {
            var writing = new ManualResetEventSlim();
            watcher.Created += (_, e) => { if (e.Name!.Contains("iter-01.ckpt")) writing.Set(); };
            watcher.EnableRaisingEvents = true;
            Assert.True(writing.Wait(TimeSpan.FromMinutes(10)), "iteration 1's checkpoint was never written");
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        var folder = Directory.GetDirectories(Path.Combine(killed, "checkpoints", "tiny")).Single();
        Assert.False(File.Exists(Path.Combine(folder, "iter-02.ckpt")));

        RunToEnd(repo.Path, killed);
        var reference = Directory.GetDirectories(Path.Combine(straight, "checkpoints", "tiny")).Single();
        Assert.Equal(Path.GetFileName(reference), Path.GetFileName(folder));
        for (var k = 0; k <= 2; k++)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(reference, $"iter-{k:D2}.ckpt")), File.ReadAllBytes(Path.Combine(folder, $"iter-{k:D2}.ckpt")));
            // Everything above the wall-clock fields is the same.
            Assert.Equal(File.ReadAllText(Path.Combine(reference, $"iter-{k:D2}.yaml")).Split("train_seconds")[0],
                         File.ReadAllText(Path.Combine(folder, $"iter-{k:D2}.yaml")).Split("train_seconds")[0]);
        }
    }
}
