using System.Diagnostics;
using Repro.Figures;

namespace Repro.Tests.Faults;

/// <summary>
/// repro train receiving SIGUSR1 (what a Slurm job script forwards before the time limit) inside an iteration: it
/// checkpoints, exits with code 5, repro status shows where it stopped, and the rerun ends byte-identical to an
/// uninterrupted run.
/// </summary>
[Trait("Category", TestCategories.Integration)]
public class SignalTests
{
    static ProcessStartInfo Train(string repo, string cache) =>
        TestSupport.ReproCli("train", "--profile", "tiny", "--seed", "3", "--device", "cpu", "--repo-root", repo, "--cache-dir", cache);

    [Fact]
    public void SIGUSR1_checkpoints_inside_the_iteration_exits_5_and_the_rerun_ends_byte_identical()
    {
        if (!OperatingSystem.IsLinux()) return; // signals are caught on Linux only (StopSignal)
        using var repo = new TempDir();
        var profile = TestSupport.TinyProfile(iterations: 1);
        profile.Performance.Threads = 1;
        profile.Schedule.DenseEpochs = 100;
        Directory.CreateDirectory(repo["profiles"]);
        File.WriteAllText(repo["profiles/tiny.yaml"], ProfileLoader.Write(profile));

        var straight = TestSupport.Run(Train(repo.Path, repo["straight"]));
        Assert.True(straight.Code == 0, straight.Stdout + straight.Stderr);

        var cache = repo["stopped"];
        var output = new List<string>();
        int code;
        using (var process = new Process { StartInfo = Train(repo.Path, cache) })
        {
            var trained = new ManualResetEventSlim();
            process.OutputDataReceived += (_, e) =>
            {
                lock (output) output.Add(e.Data ?? "");
                if (e.Data?.Contains("epoch 2/100") == true) trained.Set();
            };
            process.ErrorDataReceived += (_, e) => { lock (output) output.Add(e.Data ?? ""); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            Assert.True(trained.Wait(TimeSpan.FromMinutes(5)), "the dense model never finished its second epoch");
            using (var kill = Process.Start("kill", ["-USR1", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) kill.WaitForExit();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "the run did not stop after SIGUSR1");
            process.WaitForExit();
            code = process.ExitCode;
        }
        var log = string.Join("\n", output);
        Assert.True(code == 5, log);
        Assert.Contains("stopped: SIGUSR1 during resnet18-w0.25 iteration 0", log);

        var folder = Directory.GetDirectories(Path.Combine(cache, "checkpoints", "tiny")).Single();
        Assert.True(File.Exists(Path.Combine(folder, "iter-00.resume")), log);
        var status = TestSupport.Run(TestSupport.ReproCli("status", "--profile", "tiny", "--repo-root", repo.Path, "--cache-dir", cache));
        Assert.Equal(0, status.Code);
        Assert.Matches(@"resnet18-w0\.25\s+3\s+0/2\s+iter 0: epoch \d+/100\s+(epoch \d+/100, step \d+|after epoch \d+/100)\s+free: no run trains it", status.Stdout);

        var rerun = TestSupport.Run(Train(repo.Path, cache));
        Assert.True(rerun.Code == 0, rerun.Stdout + rerun.Stderr);
        Assert.Contains("resuming iteration 0 at epoch", rerun.Stdout);
        var reference = Directory.GetDirectories(Path.Combine(repo["straight"], "checkpoints", "tiny")).Single();
        Assert.Equal(Path.GetFileName(reference), Path.GetFileName(folder));
        for (var k = 0; k <= 1; k++)
            Assert.Equal(File.ReadAllBytes(Path.Combine(reference, $"iter-{k:D2}.ckpt")), File.ReadAllBytes(Path.Combine(folder, $"iter-{k:D2}.ckpt")));
        Assert.False(File.Exists(Path.Combine(folder, "iter-00.resume")));
        var done = TestSupport.Run(TestSupport.ReproCli("status", "--profile", "tiny", "--repo-root", repo.Path, "--cache-dir", cache));
        Assert.Matches(@"resnet18-w0\.25\s+3\s+2/2\s+-\s+-\s+free\s+done", done.Stdout);
    }
}
