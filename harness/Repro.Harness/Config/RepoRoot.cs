namespace Repro.Config;

/// <summary>The repository root: the nearest folder holding Repro.sln, where profiles/ and expected-results/ live.</summary>
public static class RepoRoot
{
    /// <summary>Searches upwards from each start folder in turn (default: the running binaries' folder).</summary>
    public static string Find(params string[] starts)
    {
        foreach (var start in starts.Length > 0 ? starts : [AppContext.BaseDirectory])
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Repro.sln"))) return d.FullName;
        throw new ConfigException("cannot find the repository root (a folder with Repro.sln); run from inside the repository or pass --repo-root");
    }
}
