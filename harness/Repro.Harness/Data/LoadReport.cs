using System.Text;

namespace Repro.Data;

/// <summary>What a loader does with a sample whose files are missing or malformed.</summary>
public enum BadSamplePolicy
{
    /// <summary>Throw on the first bad sample, naming its file (the default: results never silently lose images).</summary>
    Fail,
    /// <summary>Leave the sample out and record it, with its file and reason, in the <see cref="LoadReport"/>.</summary>
    Skip,
}

public sealed record SkippedSample(string Id, string File, DataProblem Reason, string Detail);

/// <summary>What a loader read: how many samples its index listed, which it kept, which it skipped and why.</summary>
public sealed class LoadReport
{
    readonly List<SkippedSample> _skipped = [];
    readonly List<string> _notes = [];

    public LoadReport(string dataset) => Dataset = dataset;

    public string Dataset { get; }
    public int Listed { get; internal set; }
    public int Loaded => Listed - _skipped.Count;
    public IReadOnlyList<SkippedSample> Skipped => _skipped;
    /// <summary>Facts worth knowing that do not drop samples (e.g. images whose only objects were crowd regions).</summary>
    public IReadOnlyList<string> Notes => _notes;

    public IReadOnlyDictionary<DataProblem, int> SkipCounts =>
        _skipped.GroupBy(s => s.Reason).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());

    internal void Note(string note) => _notes.Add(note);

    /// <summary>Runs <paramref name="check"/>; a bad-file exception either propagates or becomes a recorded skip.</summary>
    internal bool Try(BadSamplePolicy policy, string id, Action check)
    {
        try
        {
            check();
            return true;
        }
        catch (Exception e) when (policy == BadSamplePolicy.Skip && e is DataFileException or CorruptImageException)
        {
            var (file, reason) = e is DataFileException d
                ? (d.PathName, d.Problem)
                : (((CorruptImageException)e).PathName, DataProblem.UnreadableImage);
            _skipped.Add(new SkippedSample(id, file, reason, e.Message));
            return false;
        }
    }

    public string Summary()
    {
        var sb = new StringBuilder($"{Dataset}: {Loaded} of {Listed} samples loaded");
        if (_skipped.Count > 0)
            sb.Append($", {_skipped.Count} skipped (").Append(string.Join(", ", SkipCounts.Select(kv => $"{kv.Key}: {kv.Value}"))).Append(')');
        foreach (var n in _notes) sb.Append("; ").Append(n);
        return sb.ToString();
    }
}
