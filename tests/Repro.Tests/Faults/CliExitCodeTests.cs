using System.Diagnostics;

namespace Repro.Tests.Faults;

/// <summary>The real CLI (dotnet repro.dll) exits with the contract's code and says why on stderr.</summary>
[Trait("Category", TestCategories.Integration)]
public class CliExitCodeTests
{
    static (int Code, string Stdout, string Stderr) Repro(params string[] args) => TestSupport.Run(TestSupport.ReproCli(args));

    /// <summary>A repository with the committed ci profile, to point --repo-root at.</summary>
    static TempDir RepoWithCiProfile()
    {
        var repo = new TempDir();
        Directory.CreateDirectory(repo["profiles"]);
        File.Copy(Path.Combine(TestSupport.RepoRoot, "profiles", "ci.yaml"), repo["profiles/ci.yaml"]);
        return repo;
    }

    [Fact]
    public void Bad_profile_yaml_exits_2_naming_the_file_line_and_key()
    {
        using var repo = RepoWithCiProfile();
        var lines = File.ReadAllLines(repo["profiles/ci.yaml"]);
        var line = Array.IndexOf(lines, "  epochs: 2") + 1;
        lines[line - 1] = "  epochs: [8";
        File.WriteAllLines(repo["profiles/ci.yaml"], lines);

        var (code, _, stderr) = Repro("plan", "--profile", "ci", "--repo-root", repo.Path);
        Assert.Equal(2, code);
        Assert.StartsWith($"error: {repo["profiles/ci.yaml"]}:{line}: malformed YAML: the '[' list of 'schedule.epochs' is never closed", stderr);
    }

    [Fact]
    public void An_unknown_option_exits_2_not_the_out_of_band_1()
    {
        var (code, _, stderr) = Repro("plan", "--profil", "ci");
        Assert.Equal(2, code);
        Assert.Contains("error: Unrecognized command or argument '--profil'", stderr);
    }

    [ScratchFolderFact(readOnly: true)]
    public void A_read_only_reports_folder_exits_3()
    {
        using var repo = RepoWithCiProfile();
        using var reports = ScratchFolder.Mount(repo["reports"], readOnly: true);
        var (code, _, stderr) = Repro("report", "--profile", "ci", "--repo-root", repo.Path);
        Assert.Equal(3, code);
        Assert.StartsWith("environment: ", stderr);
        Assert.Contains(reports.Remedy, stderr);
    }

    [ScratchFolderFact(readOnly: false)]
    public void A_full_disk_under_reports_exits_3()
    {
        using var repo = RepoWithCiProfile();
        using var reports = ScratchFolder.Mount(repo["reports"], readOnly: false);
        reports.Fill();
        var (code, _, stderr) = Repro("report", "--profile", "ci", "--repo-root", repo.Path);
        Assert.Equal(3, code);
        Assert.StartsWith("environment: ", stderr);
        Assert.Contains("The disk is full: free space there", stderr);
    }
}

/// <summary>
/// A folder that refuses writes: read-only by its mode for an ordinary user, or, for root (whom modes do not stop), a
/// read-only tmpfs. A full disk is a tiny tmpfs, so it needs root. Tests are skipped with the reason where neither works.
/// </summary>
public sealed class ScratchFolder : IDisposable
{
    readonly string _path;
    readonly bool _mounted;
    public string Remedy { get; }

    ScratchFolder(string path, bool mounted, string remedy) => (_path, _mounted, Remedy) = (path, mounted, remedy);

    public static bool ModesStopWrites { get; } = ProbeModes();
    public static bool CanMount { get; } = ProbeMount();

    public static ScratchFolder Mount(string path, bool readOnly)
    {
        Directory.CreateDirectory(path);
        if (readOnly && ModesStopWrites && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            return new ScratchFolder(path, false, "Make the folder writable for this user");
        }
        Run("mount", "-t", "tmpfs", "-o", readOnly ? "ro,size=64k" : "size=64k", "tmpfs", path);
        return new ScratchFolder(path, true, "read-only file system");
    }

    /// <summary>Fills the tmpfs until the next write fails for lack of space.</summary>
    public void Fill()
    {
        using var filler = File.Create(Path.Combine(_path, "filler"));
        var block = new byte[4096];
        try { while (true) filler.Write(block); }
        catch (IOException) { }
    }

    public void Dispose()
    {
        if (_mounted) Run("umount", _path);
        else if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(_path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    static bool ProbeModes()
    {
        if (OperatingSystem.IsWindows()) return false;
        using var dir = new TempDir();
        File.SetUnixFileMode(dir.Path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            File.WriteAllText(dir["probe"], "");
            return false;
        }
        catch (UnauthorizedAccessException) { return true; }
        finally { File.SetUnixFileMode(dir.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); }
    }

    static bool ProbeMount()
    {
        if (!OperatingSystem.IsLinux()) return false;
        using var dir = new TempDir();
        try
        {
            Run("mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", dir.Path);
            Run("umount", dir.Path);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { return false; }
    }

    static void Run(string file, params string[] args)
    {
        var (code, _, error) = TestSupport.Run(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true });
        if (code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)}: {error.Trim()}");
    }
}

/// <summary>A test needing a <see cref="ScratchFolder"/>; skipped, with the reason, on a machine that cannot make one.</summary>
public sealed class ScratchFolderFactAttribute : FactAttribute
{
    public ScratchFolderFactAttribute(bool readOnly)
    {
        if (readOnly ? ScratchFolder.ModesStopWrites || ScratchFolder.CanMount : ScratchFolder.CanMount) return;
        Skip = readOnly
            ? "folder modes do not stop this user (root) and mounting a read-only tmpfs is not permitted here"
            : "a full disk is a 64 KiB tmpfs, and mounting one is not permitted here (run as root with mount rights)";
    }
}
