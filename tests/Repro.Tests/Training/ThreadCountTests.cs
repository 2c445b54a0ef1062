using Repro.Config;
using Repro.Figures;
using Repro.Models;
using Repro.Results;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Tests.Training;

/// <summary>CPU numbers depend on libtorch's thread count: it is pinned, keyed and checked, never mixed.</summary>
[Trait("Category", TestCategories.Integration)]
public class ThreadCountTests
{
    static RunContext Context(Profile profile, string cache, int? threads, List<string>? log = null, OneDnnMode? onednn = null) =>
        new(profile, TestSupport.RepoRoot, cache, null, DeviceChoice.Cpu, m => log?.Add(m), threads, onednn);

    // A tiny CLI run: the log says the thread count, the OpenMP policy and the convolution kernels.
    static readonly string[] TinySpeed = ["speed", "--device", "cpu", "--width", "0.25", "--size", "32", "--batch", "2", "--steps", "1",
        "--warmup", "0", "--settings", "defaults", "--workloads", "inference", "--onednn", "off"];

    [Fact]
    public void The_run_sets_libtorchs_thread_count_from_the_override_the_profile_or_the_cores()
    {
        using var tmp = new TempDir();
        var profile = TestSupport.TinyProfile();
        try
        {
            Assert.Equal(Environment.ProcessorCount, Context(profile, tmp.Path, null).Threads);
            Assert.Equal(Environment.ProcessorCount, get_num_threads());
            profile.Performance.Threads = 3;
            Assert.Equal(3, Context(profile, tmp.Path, null).Threads);
            Assert.Equal(3, get_num_threads());
            Assert.Equal(1, Context(profile, tmp.Path, 1).CpuThreads);
            Assert.Equal(1, get_num_threads());
            Assert.Contains("at least 1", Assert.Throws<ConfigException>(() => Context(profile, tmp.Path, 0)).Message);
        }
        finally
        {
            set_num_threads(Environment.ProcessorCount);
        }
    }

    [Fact]
    public void Each_thread_count_trains_its_own_trajectory_and_a_checkpoint_is_never_resumed_at_another()
    {
        using var tmp = new TempDir();
        var profile = TestSupport.TinyProfile(iterations: 0);
        try
        {
            var one = new Trajectory(Context(profile, tmp.Path, 1), profile.Models[0]);
            var two = new Trajectory(Context(profile, tmp.Path, 2), profile.Models[0]);
            Assert.NotEqual(one.Store.Directory, two.Store.Directory);

            two.Ensure();
            var oneThreadInfo = one.Info(0);
            Assert.Equal(1, oneThreadInfo.Threads);
            using var net = one.NewModel();
            var e = Assert.Throws<InvalidDataException>(() => CheckpointStore.Load(two.Store.CheckpointPath(0), net, oneThreadInfo));
            Assert.Contains("2 CPU threads", e.Message);
            Assert.Contains("uses 1 CPU thread;", e.Message);
        }
        finally
        {
            set_num_threads(Environment.ProcessorCount);
        }
    }

    [Fact]
    public void Each_convolution_kernel_family_trains_its_own_trajectory_and_a_checkpoint_is_never_resumed_with_the_other()
    {
        using var tmp = new TempDir();
        var profile = TestSupport.TinyProfile(iterations: 0);
        try
        {
            var native = new Trajectory(Context(profile, tmp.Path, 2, onednn: OneDnnMode.Off), profile.Models[0]);
            var nativeInfo = native.Info(0);
            var oneDnn = new Trajectory(Context(profile, tmp.Path, 2, onednn: OneDnnMode.On), profile.Models[0]);
            Assert.Equal("native", nativeInfo.Convolutions);
            Assert.Equal("onednn", oneDnn.Info(0).Convolutions);
            Assert.NotEqual(native.Store.Directory, oneDnn.Store.Directory);

            oneDnn.Ensure();
            using var net = native.NewModel();
            var e = Assert.Throws<InvalidDataException>(() => CheckpointStore.Load(oneDnn.Store.CheckpointPath(0), net, nativeInfo));
            Assert.Contains("trained with onednn CPU convolution kernels, but this run uses native", e.Message);
        }
        finally
        {
            set_num_threads(Environment.ProcessorCount);
        }
    }

    [Fact]
    public void Without_a_thread_count_the_cli_uses_the_cores_its_affinity_allows()
    {
        var cli = TestSupport.ReproCli(TinySpeed);
        var pinned = TestSupport.Dotnet([]);
        pinned.FileName = "taskset";
        foreach (var a in (string[])["-c", "0", cli.FileName, .. cli.ArgumentList]) pinned.ArgumentList.Add(a);
        var (code, stdout, stderr) = TestSupport.Run(pinned);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("on cpu (1 threads, native convolutions)", stdout);
    }

    [Fact]
    public void Libtorchs_openmp_threads_spin_briefly_unless_the_environment_says_otherwise()
    {
        // TorchRuntime.Configure (TorchTestFramework) set it natively before libtorch loaded; the managed environment still shows the user's own.
        var description = Repro.Torch.TorchRuntime.Require("the test").OpenMp;
        var userSet = Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") ?? Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        if (userSet == null)
        {
            Assert.Equal(Repro.Torch.OpenMpWaitPolicy.DefaultSpinCount, System.Runtime.InteropServices.Marshal.PtrToStringUTF8(getenv("GOMP_SPINCOUNT")));
            Assert.Equal($"GOMP_SPINCOUNT={Repro.Torch.OpenMpWaitPolicy.DefaultSpinCount}", description);
        }
        else Assert.EndsWith("(from the environment)", description);

        var start = TestSupport.ReproCli([.. TinySpeed, "--threads", "1"]);
        start.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
        start.Environment.Remove("GOMP_SPINCOUNT");
        var (code, stdout, stderr) = TestSupport.Run(start);
        Assert.True(code == 0, stdout + stderr);
        Assert.Contains("OMP_WAIT_POLICY=PASSIVE (from the environment)", stdout);
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    static extern IntPtr getenv(string name);

    [Fact]
    public void Expected_results_live_in_a_folder_per_thread_count_when_the_profile_pins_one()
    {
        var profile = TestSupport.TinyProfile();
        Assert.Equal("tiny", ExpectedResults.Folder(profile, 4));
        Assert.Equal("tiny", ExpectedResults.Folder(profile, null));
        profile.Performance.Threads = 2;
        Assert.Equal("tiny", ExpectedResults.Folder(profile, 2));
        Assert.Equal("tiny", ExpectedResults.Folder(profile, null));
        Assert.Equal(Path.Combine("tiny", "threads-1"), ExpectedResults.Folder(profile, 1));
    }

    [Fact]
    public void Bands_measured_on_another_thread_count_fail_the_check_and_say_how_to_match_them()
    {
        using var tmp = new TempDir();
        var figure = new AccuracyFigure();
        var value = new MeasuredValue { Series = "m", Metric = "top1", Iteration = 0, Value = 0.5 };
        StrictYaml.SaveAtomically(ExpectedResults.PathFor(tmp.Path, "tiny", figure.Name), new ExpectedResults
        {
            Figure = figure.Name, Profile = "tiny", Derivation = "test", Threads = 2,
            Values = [new ExpectedValue { Series = "m", Metric = "top1", Iteration = 0, Expected = 0.5, AbsTol = 0.1 }],
        });
        var dir = FigureRunner.FigureDirectory(tmp.Combine("reports"), "tiny", figure.Name);
        BandCheckRecord Check(int threads)
        {
            ContentHash.SaveYaml(Path.Combine(dir, FigureRunner.ResultsFile),
                new FigureResults { Figure = figure.Name, Profile = "tiny", Values = [value], Provenance = new Provenance { Threads = threads, GitCommit = "c" } });
            return FigureRunner.Check(figure, tmp.Path, "tiny", dir);
        }

        Assert.True(Check(2).Passed);
        var check = Check(1);
        Assert.False(check.Passed);
        Assert.Contains("measured on 2 CPU threads, but this run used 1", Assert.Single(check.Violations));
        Assert.Equal(1, StrictYaml.LoadFile<ExpectedResults>(Path.Combine(dir, FigureRunner.ReceivedFile), "").Threads);
    }
}
