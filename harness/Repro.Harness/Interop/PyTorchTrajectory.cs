using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Repro.Config;

namespace Repro.Interop;

/// <summary>One pruning iteration's checkpoint in a PyTorch trajectory folder; <paramref name="Epoch"/> is null for the plain names.</summary>
public sealed record TrajectoryFile(int Iteration, int? Epoch, string Path);

/// <summary>
/// A model's pruning trajectory as PyTorch scripts leave it: one folder per model, <c>&lt;dir&gt;/&lt;model&gt;/</c>,
/// holding one checkpoint per pruning iteration, named as the authors' train.py names them,
/// <c>model_epoch_&lt;E&gt;_pruning_iteration_&lt;i&gt;.pth</c> (also <c>&lt;model&gt;_epoch_&lt;E&gt;_…</c>, and <c>i</c>
/// zero-padded or not), or plainly <c>iter-&lt;i&gt;.pth</c> / <c>&lt;i&gt;.pth</c>. Iterations are ordered by their
/// number, not by name: the authors' evaluation sorted the names as strings, which puts 10 before 2.
/// </summary>
public static partial class PyTorchTrajectory
{
    [GeneratedRegex(@"^(?:[A-Za-z0-9_]+)_epoch_(?<epoch>\d+)_pruning_iteration_(?<iteration>\d+)\.pth$")]
    private static partial Regex AuthorsName();

    [GeneratedRegex(@"^(?:iter-)?(?<iteration>\d+)\.pth$")]
    private static partial Regex PlainName();

    /// <summary>The model's folder under <paramref name="root"/>: &lt;model key&gt;/ when present, else &lt;architecture&gt;/ (the authors' naming).</summary>
    public static string ModelFolder(string root, ModelConfig model)
    {
        var byKey = Path.Combine(root, model.Key);
        var byArchitecture = Path.Combine(root, model.Architecture);
        if (Directory.Exists(byKey)) return byKey;
        if (Directory.Exists(byArchitecture)) return byArchitecture;
        throw new ConfigException(
            $"{root}: no folder '{model.Architecture}/'{(model.Key != model.Architecture ? $" or '{model.Key}/'" : "")} with the checkpoints of {model.Key}. " +
            $"Put its model_epoch_<E>_pruning_iteration_<i>.pth files in {byArchitecture}/, or point --trajectory (-p:Trajectory=) at the folder that holds it.");
    }

    /// <summary>
    /// The checkpoints of iterations 0..n in <paramref name="folder"/>, ordered by iteration number. Where one iteration
    /// was saved at several epochs, the last epoch is its checkpoint (the end of that iteration's training). Files of
    /// other names are ignored. Throws when there are none, when two names give the same iteration and epoch, or when
    /// an iteration is missing between 0 and the highest (naming it).
    /// </summary>
    public static IReadOnlyList<TrajectoryFile> Find(string folder)
    {
        if (!Directory.Exists(folder)) throw new ConfigException($"{folder}: folder not found; it should hold one checkpoint per pruning iteration.");
        var candidates = new List<TrajectoryFile>();
        foreach (var path in Directory.EnumerateFiles(folder, "*.pth"))
        {
            var name = Path.GetFileName(path);
            if (AuthorsName().Match(name) is { Success: true } a)
                candidates.Add(new TrajectoryFile(Number(a, "iteration", path), Number(a, "epoch", path), path));
            else if (PlainName().Match(name) is { Success: true } p)
                candidates.Add(new TrajectoryFile(Number(p, "iteration", path), null, path));
        }
        if (candidates.Count == 0)
            throw new ConfigException(
                $"{folder}: no checkpoint named model_epoch_<E>_pruning_iteration_<i>.pth (or iter-<i>.pth, <i>.pth). " +
                "Put one checkpoint per pruning iteration there, named as train.py names them.");
        var files = new List<TrajectoryFile>();
        foreach (var group in candidates.GroupBy(c => c.Iteration).OrderBy(g => g.Key))
        {
            var latest = group.Max(c => c.Epoch ?? -1);
            var chosen = group.Where(c => (c.Epoch ?? -1) == latest).OrderBy(c => c.Path, StringComparer.Ordinal).ToList();
            if (chosen.Count > 1)
                throw new ConfigException(
                    $"{folder}: iteration {group.Key} has {chosen.Count} checkpoints of the same epoch " +
                    $"([{string.Join(", ", chosen.Select(c => Path.GetFileName(c.Path)))}]); keep one of them.");
            files.Add(chosen[0]);
        }
        for (var i = 0; i < files.Count; i++)
            if (files[i].Iteration != i)
                throw new ConfigException(
                    $"{folder}: pruning iteration {i} is missing (found iterations {Ranges(files.Select(f => f.Iteration))}); " +
                    $"iterations must run from 0 without a gap. Add the checkpoint of iteration {i}, or remove those after it.");
        return files;
    }

    static int Number(Match match, string group, string path) =>
        int.TryParse(match.Groups[group].ValueSpan, out var n) ? n
            : throw new ConfigException($"{path}: the {group} number in the name is out of range");

    /// <summary>"0-3, 5, 7-8" for the sorted numbers.</summary>
    static string Ranges(IEnumerable<int> numbers)
    {
        var parts = new List<string>();
        foreach (var n in numbers)
        {
            if (parts.Count > 0 && parts[^1].Split('-')[^1] is var last && int.Parse(last) == n - 1)
                parts[^1] = $"{parts[^1].Split('-')[0]}-{n}";
            else parts.Add(n.ToString());
        }
        return string.Join(", ", parts);
    }

    static readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), string> Hashes = new();

    /// <summary>SHA-256 of the file's bytes, hex; remembered per path, length and write time, since every figure asks again.</summary>
    public static string Sha256(string path)
    {
        var info = new FileInfo(path);
        return Hashes.GetOrAdd((info.FullName, info.Length, info.LastWriteTimeUtc), _ =>
        {
            using var stream = File.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(stream));
        });
    }
}
