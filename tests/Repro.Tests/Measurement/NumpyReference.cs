using System.Diagnostics;
using System.Globalization;

namespace Repro.Tests.Measurement;

/// <summary>Debian's numpy under /usr/bin/python3, for reference values computed the way the authors' scripts compute them.</summary>
static class NumpyReference
{
    public const string Python = "/usr/bin/python3";

    static readonly Lazy<string?> Version = new(() =>
    {
        if (!File.Exists(Python)) return null;
        try
        {
            var (code, stdout, _) = Run("import numpy; print(numpy.__version__)", "");
            return code == 0 ? stdout.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception) { return null; }
    });

    public static bool Available => Version.Value is not null;

    /// <summary>Runs <paramref name="script"/> with <paramref name="stdin"/> on its standard input.</summary>
    public static (int Code, string Stdout, string Stderr) Run(string script, string stdin)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs a script that must succeed; one output line per input line.</summary>
    public static string[] Lines(string script, IEnumerable<string> inputLines)
    {
        var (code, stdout, stderr) = Run(script, string.Join('\n', inputLines) + "\n");
        Assert.True(code == 0, $"{Python} failed ({code}): {stderr}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Round-trip text of a double (Python's float() reads it back to the same value).</summary>
    public static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A test comparing with numpy's own output; skipped, with the reason, where /usr/bin/python3 has no numpy.</summary>
public sealed class NumpyFactAttribute : FactAttribute
{
    public NumpyFactAttribute()
    {
        if (!NumpyReference.Available) Skip = $"{NumpyReference.Python} with numpy is not installed (apt-get install python3-numpy)";
    }
}
