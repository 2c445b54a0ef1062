using System.Diagnostics;
using Repro.Config;
using Repro.Scheduling;

namespace Repro.Tests.Scheduling;

/// <summary>The generated train script run by bash as Slurm would, with repro and scontrol replaced by scripts.</summary>
[Trait("Category", TestCategories.Integration)]
public class SlurmScriptRunTests
{
    /// <summary>
    /// Runs array task 1 of the train script; the fake repro prints its arguments, exits 5 on USR1 or TERM (as repro does
    /// after a checkpoint) and 0 after 5 s. <paramref name="signal"/>, if any, goes to the script once repro runs.
    /// </summary>
    static (int Code, string Output, string Requeued) RunTask(string? signal)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["repro"], """
            #!/bin/bash
            trap 'echo "repro got USR1"; exit 5' USR1
            trap 'echo "repro got TERM"; exit 5' TERM
            echo "repro $*"
            for _ in $(seq 50); do sleep 0.1; done
            exit 0
            """);
        File.WriteAllText(dir["scontrol"], $"#!/bin/bash\necho \"$*\" >> '{dir["scontrol.txt"]}'\n");
        foreach (var name in new[] { "repro", "scontrol" })
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir[name], UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var profile = TestSupport.TinyProfile(seed: 1);
        profile.Scheduler = new SchedulerConfig { Seeds = [1, 2] };
        var plan = new SubmissionPlan(profile, new SubmissionOptions { RepoRoot = dir.Path, ReportsDir = dir["reports"] });
        File.WriteAllText(dir["train.sbatch"], SlurmScripts.Render(plan, [dir["repro"]]).Train);

        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dir["train.sbatch"]);
        start.Environment["PATH"] = $"{dir.Path}:{Environment.GetEnvironmentVariable("PATH")}";
        start.Environment["SLURM_ARRAY_TASK_ID"] = "1";
        start.Environment["SLURM_JOB_ID"] = "4243";
        start.Environment["SLURM_ARRAY_JOB_ID"] = "4242";
        using var bash = Process.Start(start)!;
        var stderr = bash.StandardError.ReadToEndAsync();
        var output = new List<string>();
        while (bash.StandardOutput.ReadLine() is { } line)
        {
            output.Add(line);
            if (signal != null && line.StartsWith("repro ", StringComparison.Ordinal))
                Process.Start("kill", ["-s", signal, bash.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        }
        bash.WaitForExit();
        var requeued = File.Exists(dir["scontrol.txt"]) ? File.ReadAllText(dir["scontrol.txt"]).Trim() : "";
        return (bash.ExitCode, string.Join('\n', output) + stderr.Result, requeued);
    }

    [Fact]
    public void Usr1_reaches_repro_and_its_exit_status_5_requeues_the_task()
    {
        var (code, output, requeued) = RunTask("USR1");
        Assert.Contains("repro train --model resnet18-w0.25 --seed 2 --profile tiny", output);
        Assert.Contains("repro got USR1", output);
        Assert.True(output.Contains("exit status 5", StringComparison.Ordinal), output);
        Assert.Equal("requeue 4242_1", requeued);
        Assert.Equal(0, code);
    }

    [Fact]
    public void Term_reaches_repro_and_ends_the_task_without_a_requeue()
    {
        var (code, output, requeued) = RunTask("TERM");
        Assert.Contains("repro got TERM", output);
        Assert.Equal("", requeued);
        Assert.Equal(5, code);
    }
}
