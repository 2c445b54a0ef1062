using System.Reflection;
using System.Runtime.InteropServices;

namespace Repro.Config;

/// <summary>The CLI's exit codes, one per cause, so that CI can tell a crash from a regression.</summary>
public enum ExitCode
{
    Ok = 0,
    /// <summary>Numbers outside their expected-results bands, or a failed parity check.</summary>
    OutOfBand = 1,
    /// <summary>Bad input or configuration: a profile, expected-results file, dataset file or option.</summary>
    BadInput = 2,
    /// <summary>The machine: disk full, read-only or forbidden folder, missing native library or device, out of memory, a run stopped on request.</summary>
    Environment = 3,
    /// <summary>A bug in the suite: the stack trace goes to a log file.</summary>
    Internal = 4,
    /// <summary>Stopped by SIGUSR1 or SIGTERM (a scheduler's warning) after checkpointing: rerun or requeue to resume.</summary>
    Stopped = 5,
}

/// <summary>An input file (a dataset file, an image) without the expected content; the message names the file and what to do.</summary>
public abstract class BadInputException(string message) : Exception(message);

/// <summary>The machine lacks what the run needs (a device, a writable folder, free space); the message says what to do.</summary>
public sealed class EnvironmentException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Maps every exception that reaches the CLI to one <see cref="ExitCode"/> and reports it on one line.</summary>
public static class ExitCodes
{
    // errno on Linux and macOS (IOException.HResult carries the raw errno there), HRESULTs on Windows.
    static readonly int[] DiskFull = OperatingSystem.IsWindows() ? [unchecked((int)0x80070070), unchecked((int)0x80070027)] : [28, OperatingSystem.IsMacOS() ? 69 : 122];
    static readonly int[] ReadOnlyFileSystem = OperatingSystem.IsWindows() ? [unchecked((int)0x80070013)] : [30];

    /// <summary>Runs <paramref name="action"/>; an exception becomes its exit code and one line on <paramref name="console"/>.</summary>
    public static int Run(Func<int> action, Func<string> logFolder, TextWriter console)
    {
        try { return action(); }
        catch (Exception e) { return (int)Report(e, logFolder, console); }
    }

    /// <summary>The exception a wrapper (a parallel loop, a type initialiser, reflection) carries.</summary>
    public static Exception Cause(Exception e) => e switch
    {
        AggregateException a when a.Flatten().InnerExceptions.Count > 0 => Cause(a.Flatten().InnerExceptions[0]),
        TargetInvocationException { InnerException: { } inner } => Cause(inner),
        TypeInitializationException { InnerException: { } inner } => Cause(inner),
        _ => e,
    };

    public static ExitCode Classify(Exception e) => Cause(e) switch
    {
        StoppedBySignalException => ExitCode.Stopped,
        ConfigException or BadInputException or InvalidDataException or EndOfStreamException
            or FileNotFoundException or DirectoryNotFoundException or PathTooLongException => ExitCode.BadInput,
        EnvironmentException or UnauthorizedAccessException or OperationCanceledException or OutOfMemoryException
            or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException => ExitCode.Environment,
        // Any other IOException is the file system refusing (full, read-only, I/O error): input files that are wrong
        // are reported by the loaders as the bad-input types above.
        IOException => ExitCode.Environment,
        NotSupportedException n when n.Message.Contains("libtorch", StringComparison.OrdinalIgnoreCase) => ExitCode.Environment,
        ExternalException x when IsOutOfMemory(x.Message) => ExitCode.Environment,
        _ => ExitCode.Internal,
    };

    /// <summary>Writes the one-line report (and for an internal error the stack trace to a log file) and returns the code.</summary>
    public static ExitCode Report(Exception e, Func<string> logFolder, TextWriter console)
    {
        var cause = Cause(e);
        var code = Classify(e);
        var line = code switch
        {
            ExitCode.BadInput => $"error: {cause.Message}",
            ExitCode.Stopped => $"stopped: {cause.Message}",
            ExitCode.Environment when cause is OperationCanceledException =>
                $"stopped: {cause.Message}. Completed iterations are saved; rerun to resume.",
            ExitCode.Environment => $"environment: {cause.Message}{Remedy(cause)}",
            _ => $"internal error: {cause.GetType().Name}: {FirstLine(cause.Message)}. Stack trace: {WriteLog(e, logFolder)}",
        };
        console.WriteLine(line);
        return code;
    }

    /// <summary>What to do about an environment failure whose message (from .NET or libtorch) only says what happened.</summary>
    static string Remedy(Exception e) => e switch
    {
        EnvironmentException => "",
        IOException io when DiskFull.Contains(io.HResult) =>
            ". The disk is full: free space there (or pass --cache-dir on another disk) and rerun; completed iterations are kept",
        IOException io when ReadOnlyFileSystem.Contains(io.HResult) =>
            ". The folder is on a read-only file system: make it writable or run from a writable copy",
        UnauthorizedAccessException =>
            ". Make the folder writable for this user, or run from a writable copy (--cache-dir moves the cache)",
        DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or NotSupportedException =>
            ". A native library is missing or does not match this machine: run 'dotnet restore' and 'dotnet build' again (README: Running on a GPU for CUDA builds)",
        OutOfMemoryException or ExternalException =>
            ". Lower schedule.batch_size or data.eval_batch_size in the profile, or run on a machine with more memory",
        _ => "",
    };

    static bool IsOutOfMemory(string message) =>
        message.Contains("out of memory", StringComparison.OrdinalIgnoreCase) ||
        message.Contains("can't allocate memory", StringComparison.OrdinalIgnoreCase);

    static string FirstLine(string message) => message.Split('\n', 2)[0].TrimEnd('\r', '.');

    /// <summary>Writes the full exception to logs/crash-*.log under the first writable of the given folder and the temp folder.</summary>
    static string WriteLog(Exception e, Func<string> logFolder)
    {
        var text = $"{DateTime.UtcNow:O} repro {string.Join(' ', System.Environment.GetCommandLineArgs().Skip(1))}\n{e}\n";
        var name = $"crash-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{System.Environment.ProcessId}.log";
        foreach (var folder in new Func<string>[] { logFolder, () => Path.Combine(Path.GetTempPath(), "repro-logs") })
        {
            try
            {
                var dir = folder();
                Directory.CreateDirectory(dir);
                var path = Path.GetFullPath(Path.Combine(dir, name));
                File.WriteAllText(path, text);
                return path;
            }
            catch (Exception) { } // an unwritable folder falls through to the next one
        }
        return $"(no folder was writable for the log) {e}";
    }
}
