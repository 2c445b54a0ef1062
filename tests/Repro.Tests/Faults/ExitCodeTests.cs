using System.Reflection;
using System.Runtime.InteropServices;
using Repro.Config;
using Repro.Data;
using SkiaSharp;
using static TorchSharp.torch;

namespace Repro.Tests.Faults;

/// <summary>Every exception type that can reach the CLI maps to one exit code (README, Exit codes).</summary>
[Trait("Category", TestCategories.Unit)]
public class ExitCodeTests
{
    public static TheoryData<Exception, ExitCode> Rows => new()
    {
        { new ConfigException("p.yaml:3: 'schedule.epochs' is 'eight'"), ExitCode.BadInput },
        { new DataFileException("a.xml", DataProblem.MalformedFile, "no <object>", "fix it"), ExitCode.BadInput },
        { new CorruptImageException("a.png", "truncated"), ExitCode.BadInput },
        { new InvalidDataException("bad header"), ExitCode.BadInput },
        { new EndOfStreamException("truncated checkpoint"), ExitCode.BadInput },
        { new FileNotFoundException("missing", "x.png"), ExitCode.BadInput },
        { new DirectoryNotFoundException("no Annotations"), ExitCode.BadInput },
        { new IOException("No space left on device : '/c/x'", 28), ExitCode.Environment },
        { new IOException("Read-only file system : '/r'", 30), ExitCode.Environment },
        { new IOException("Input/output error", 5), ExitCode.Environment },
        { new UnauthorizedAccessException("Access to the path '/r/reports' is denied."), ExitCode.Environment },
        { new DllNotFoundException("Unable to load shared library 'LibTorchSharp'"), ExitCode.Environment },
        { new TypeInitializationException("TorchSharp.torch", new DllNotFoundException("libtorch_cpu")), ExitCode.Environment },
        { new NotSupportedException("The libtorch-cpu package is not restored on this system"), ExitCode.Environment },
        { new ExternalException("CUDA out of memory. Tried to allocate 2.00 GiB"), ExitCode.Environment },
        { new OutOfMemoryException(), ExitCode.Environment },
        { new EnvironmentException("device 'cuda' requested but no CUDA device is available"), ExitCode.Environment },
        { new OperationCanceledException("stopped after iteration 1 as requested"), ExitCode.Environment },
        { new ExternalException("Expected all tensors to be on the same device"), ExitCode.Internal },
        { new Exception("Unknown scalar type."), ExitCode.Internal },
        { new ArgumentException("a 3x3 (HxW) heatmap needs 9 values; got 8"), ExitCode.Internal },
        { new InvalidOperationException("Operation is not valid due to the current state of the object."), ExitCode.Internal },
        { new NullReferenceException(), ExitCode.Internal },
        { new NotSupportedException("Specified method is not supported."), ExitCode.Internal },
        { new AggregateException(new CorruptImageException("train/a.png", "truncated")), ExitCode.BadInput },
        { new AggregateException(new AggregateException(new IOException("disk full", 28))), ExitCode.Environment },
        { new TargetInvocationException(new ConfigException("bad")), ExitCode.BadInput },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Each_exception_type_maps_to_one_code(Exception e, ExitCode expected) =>
        Assert.Equal(expected, ExitCodes.Classify(e));

    [Fact]
    public void An_exit_code_from_the_action_passes_through()
    {
        Assert.Equal(0, ExitCodes.Run(() => 0, () => "unused", TextWriter.Null));
        Assert.Equal(1, ExitCodes.Run(() => 1, () => "unused", TextWriter.Null));
    }

    [Fact]
    public void Bad_input_is_one_line_with_the_unwrapped_message()
    {
        var console = new StringWriter();
        var code = ExitCodes.Run(() => throw new AggregateException(new CorruptImageException("/d/train/0/a.png", "truncated")), () => "unused", console);
        Assert.Equal(2, code);
        Assert.Equal("error: /d/train/0/a.png: cannot decode image (truncated). Replace or delete the file, or regenerate the dataset.", console.ToString().TrimEnd());
    }

    [Fact]
    public void A_full_disk_says_what_to_do()
    {
        var console = new StringWriter();
        var code = ExitCodes.Run(() => throw new IOException("No space left on device : '/c/x'", OperatingSystem.IsWindows() ? unchecked((int)0x80070070) : 28), () => "unused", console);
        Assert.Equal(3, code);
        Assert.StartsWith("environment: No space left on device : '/c/x'. The disk is full: free space there", console.ToString());
    }

    [Fact]
    public void A_stop_on_request_says_the_completed_iterations_are_kept()
    {
        var console = new StringWriter();
        Assert.Equal(3, ExitCodes.Run(() => throw new OperationCanceledException("stopped after iteration 2 as requested"), () => "unused", console));
        Assert.Equal("stopped: stopped after iteration 2 as requested. Completed iterations are saved; rerun to resume.", console.ToString().TrimEnd());
    }

    [Fact]
    public void An_internal_error_writes_the_stack_trace_to_a_log_and_one_line_naming_it()
    {
        using var dir = new TempDir();
        var console = new StringWriter();
        var code = ExitCodes.Run(() => Crash(), () => dir["logs"], console);
        Assert.Equal(4, code);
        var lines = console.ToString().TrimEnd().Split('\n');
        var line = Assert.Single(lines);
        Assert.StartsWith("internal error: NullReferenceException: ", line);
        var log = Directory.GetFiles(dir["logs"], "crash-*.log").Single();
        Assert.EndsWith($"Stack trace: {log}", line);
        var text = File.ReadAllText(log);
        Assert.Contains(nameof(Crash), text);
        Assert.Contains("System.NullReferenceException", text);
    }

    [Fact]
    public void An_unwritable_log_folder_falls_back_to_the_temp_folder()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["not-a-folder"], "");
        var console = new StringWriter();
        Assert.Equal(4, ExitCodes.Run(() => Crash(), () => dir["not-a-folder"], console));
        var log = console.ToString().TrimEnd().Split("Stack trace: ")[1];
        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "repro-logs"), log);
        Assert.Contains(nameof(Crash), File.ReadAllText(log));
        File.Delete(log);
    }

    static int Crash()
    {
        string? missing = null;
        return missing!.Length;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void A_corrupt_image_in_the_decode_pool_surfaces_as_itself_naming_the_file(int prefetch)
    {
        using var dir = new TempDir();
        var samples = new List<(string Path, int Label)>();
        for (var i = 0; i < 8; i++)
        {
            var path = dir[$"img{i}.png"];
            using (var bitmap = new SKBitmap(8, 8))
            using (var png = bitmap.Encode(SKEncodedImageFormat.Png, 100))
                File.WriteAllBytes(path, png.ToArray());
            samples.Add((path, 0));
        }
        var corrupt = samples[5].Path;
        File.WriteAllBytes(corrupt, File.ReadAllBytes(corrupt)[..20]);
        var loader = new BatchLoader(samples, (img, _) => zeros(3, img.Height, img.Width), batchSize: 8, prefetch, decodeThreads: 4);

        var e = Assert.Throws<CorruptImageException>(() => { foreach (var b in loader.Batches()) b.Dispose(); });
        Assert.Equal(corrupt, e.PathName);
        Assert.Equal(ExitCode.BadInput, ExitCodes.Classify(e));
    }
}
