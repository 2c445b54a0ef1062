
namespace Repro.Tests.Faults;

/// <summary>build/Repro.Reproduce.targets turns each CLI exit code into its own MSBuild error, carrying the CLI's line.</summary>
[Trait("Category", TestCategories.Integration)]
public class MsBuildExitCodeTests
{
    /// <summary>
    /// Runs <paramref name="target"/> (with <paramref name="properties"/>) with the CLI replaced by a script that prints its
    /// arguments and <paramref name="line"/> and exits with <paramref name="code"/>.
    /// </summary>
    static (int Code, string Output) PlanWithFakeCli(int code, string line, string target = "Plan", params string[] properties)
    {
        using var dir = new TempDir();
        // Like the real CLI, it writes the report folder (where Reproduce leaves its stamp).
        File.WriteAllText(dir["fake-cli.sh"], $"mkdir -p reports/smoke\necho \"[00:00] arguments: $*\"\necho \"$FAKE_LINE\" >&2\nexit {code}\n");
        File.WriteAllText(dir["stub.proj"], $"""
            <Project>
              <PropertyGroup><RepoRoot>{dir.Path}/</RepoRoot><TargetPath>{dir["repro.dll"]}</TargetPath></PropertyGroup>
              <Import Project="{Path.Combine(TestSupport.RepoRoot, "build", "Repro.Reproduce.targets")}" />
              <PropertyGroup><ReproExe>sh "{dir["fake-cli.sh"]}"</ReproExe></PropertyGroup>
              <Target Name="Build" />
            </Project>
            """);
        var start = TestSupport.Dotnet(["msbuild", dir["stub.proj"], $"-t:{target}", "-nologo", "-nodeReuse:false", "-tl:off", "-v:n", .. properties]);
        start.WorkingDirectory = dir.Path;
        start.Environment["FAKE_LINE"] = line;
        var (exit, stdout, stderr) = TestSupport.Run(start);
        return (exit, stdout + stderr);
    }

    [Theory]
    [InlineData(1, "[00:03] FAILED: accuracy did not match expected-results/ci/", "error REPRO1: numbers out of band: FAILED: accuracy did not match expected-results/ci/")]
    [InlineData(2, "error: p.yaml:3: 'data.kind' is 'x'; allowed values: synthetic, image_folder", "error REPRO2: bad input or configuration: p.yaml:3: 'data.kind' is 'x'; allowed values: synthetic, image_folder")]
    [InlineData(3, "environment: No space left on device : '/c'. The disk is full", "error REPRO3: environment: No space left on device : '/c'. The disk is full")]
    [InlineData(3, "stopped: stopped after iteration 1 as requested. Rerun to resume.", "error REPRO3: environment: stopped: stopped after iteration 1 as requested. Rerun to resume.")]
    [InlineData(4, "internal error: NullReferenceException: x. Stack trace: /c/logs/crash-1.log", "error REPRO4: internal error: NullReferenceException: x. Stack trace: /c/logs/crash-1.log")]
    [InlineData(5, "[00:09] stopped: task train-resnet18-seed1 exited with 5 (log: /r/logs/t.log); rerun the same command to resume",
        "error REPRO5: stopped by a signal; checkpoint written, rerun or requeue to resume: stopped: task train-resnet18-seed1 exited with 5 (log: /r/logs/t.log); rerun the same command to resume")]
    public void Each_exit_code_is_its_own_error_with_the_clis_line(int code, string line, string error)
    {
        var (exit, output) = PlanWithFakeCli(code, line);
        Assert.NotEqual(0, exit);
        Assert.Contains(error, output);
    }

    [Fact]
    public void Exit_code_0_is_no_error()
    {
        var (exit, output) = PlanWithFakeCli(0, "");
        Assert.Equal(0, exit);
        Assert.DoesNotContain("REPRO", output);
    }

    [Fact]
    public void A_figure_list_reaches_the_cli_with_the_comma_escaped_and_a_bare_comma_is_refused_by_msbuild()
    {
        var (exit, output) = PlanWithFakeCli(0, "", "Reproduce", "-p:Figures=accuracy%2Cheatmaps", "-p:Threads=1");
        Assert.True(exit == 0, output);
        Assert.Contains("--figures accuracy,heatmaps", output);
        Assert.Contains("--threads 1", output);

        var (bare, refused) = PlanWithFakeCli(0, "", "Reproduce", "-p:Figures=accuracy,heatmaps");
        Assert.NotEqual(0, bare);
        Assert.Contains("MSB1006", refused);
    }

    [Fact]
    public void Submit_passes_its_properties_on_and_Reproduce_with_parallel_above_1_runs_a_local_submission()
    {
        var (exit, output) = PlanWithFakeCli(0, "", "Submit", "-p:Seeds=1%2C2", "-p:DryRun=true", "-p:Partition=gpu", "-p:Account=lab");
        Assert.True(exit == 0, output);
        Assert.Contains("arguments: submit --profile smoke", output);
        Assert.Contains("--scheduler slurm --seeds 1,2 --dry-run --partition gpu --account lab", output);

        var (parallel, local) = PlanWithFakeCli(0, "", "Reproduce", "-p:Parallel=4");
        Assert.True(parallel == 0, local);
        Assert.Contains("arguments: submit --profile smoke", local);
        Assert.Contains("--scheduler local --parallel 4", local);

        var (serial, reproduce) = PlanWithFakeCli(0, "", "Reproduce", "-p:Parallel=1");
        Assert.True(serial == 0, reproduce);
        Assert.Contains("arguments: reproduce --profile smoke", reproduce);
    }
}
