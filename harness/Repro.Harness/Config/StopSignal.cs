using System.Runtime.InteropServices;

namespace Repro.Config;

/// <summary>
/// A stop asked for by the process's environment: SIGUSR1 (what a Slurm script forwards from --signal=B:USR1@N, the
/// warning before a time limit) or SIGTERM (preemption, scancel). While a trajectory trains (<see cref="Checkpointing"/>)
/// the handler only records it: training checkpoints at the next optimizer step and throws
/// <see cref="StoppedBySignalException"/>. Anywhere else there is nothing to save (every file is written atomically, and
/// a rerun redoes an unfinished measurement), so the process ends at once. Either way the exit code is
/// <see cref="ExitCode.Stopped"/>, which a job script requeues on.
/// </summary>
public static class StopSignal
{
    /// <summary>SIGUSR1's number on Linux; PosixSignal has no member for it, and raw numbers are accepted on Unix.</summary>
    const int SigUsr1 = 10;
    static readonly List<PosixSignalRegistration> Registrations = [];
    static volatile string? _requested;
    static int _checkpointing;

    /// <summary>Marks a stretch of training that checkpoints on a request (disposing ends it).</summary>
    public static IDisposable Checkpointing()
    {
        Interlocked.Increment(ref _checkpointing);
        return new Scope();
    }

    sealed class Scope : IDisposable
    {
        int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) Interlocked.Decrement(ref _checkpointing);
        }
    }

    /// <summary>The signal that asked to stop, or null.</summary>
    public static string? Requested => _requested;

    /// <summary>Catches SIGUSR1 and SIGTERM from now on (once per process; Linux only, elsewhere nothing to catch).</summary>
    public static void Listen(Action<string> log)
    {
        lock (Registrations)
        {
            if (Registrations.Count > 0 || !OperatingSystem.IsLinux()) return;
            foreach (var (signal, name) in new[] { ((PosixSignal)SigUsr1, "SIGUSR1"), (PosixSignal.SIGTERM, "SIGTERM") })
                Registrations.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    context.Cancel = true;
                    if (Volatile.Read(ref _checkpointing) == 0)
                    {
                        log($"{name} received outside training: stopping now (exit code {(int)ExitCode.Stopped}); a rerun redoes the unfinished work");
                        Environment.Exit((int)ExitCode.Stopped);
                    }
                    if (_requested != null) return;
                    _requested = name;
                    log($"{name} received: checkpointing at the next training step, then stopping (exit code {(int)ExitCode.Stopped}: rerun or requeue to resume)");
                }));
        }
    }

    /// <summary>Asks to stop as a signal would (tests, and a parent process forwarding one).</summary>
    public static void Request(string why) => _requested ??= why;

    /// <summary>Forgets a request (a test's next run).</summary>
    public static void Clear() => _requested = null;
}

/// <summary>Training stopped on <see cref="StopSignal"/> with its state saved; the message says where and how to resume.</summary>
public sealed class StoppedBySignalException(string message) : Exception(message);
