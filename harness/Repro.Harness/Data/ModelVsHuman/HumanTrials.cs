using System.Globalization;

namespace Repro.Data.ModelVsHuman;

/// <summary>
/// One psychophysics trial: which subject saw which image under which condition, what they answered
/// (null when they gave no answer in time, "na" in the file) and the correct category.
/// </summary>
public sealed record HumanTrial(string Subject, int Session, int Trial, string ImageName, string ImageId, string Condition,
    string? Response, string Category, double? ResponseTimeSeconds)
{
    public bool Correct => Response == Category;
}

/// <summary>The trials read from one dataset's raw-data files, with what was skipped.</summary>
public sealed record HumanTrialSet(IReadOnlyList<HumanTrial> Trials, LoadReport Report);

/// <summary>
/// Reads the benchmark's raw human data: raw-data/&lt;dataset&gt;/&lt;dataset&gt;_subject-NN_session_N.csv with the
/// header subj,session,trial,rt,object_response,category,condition,imagename (column names matched
/// case-insensitively: some files write "Session"). Files of model runs in the same folder are not read.
/// </summary>
public static class HumanTrials
{
    static readonly string[] Columns = ["subj", "session", "trial", "rt", "object_response", "category", "condition", "imagename"];
    const string NoAnswer = "na";

    public static HumanTrialSet ReadDataset(string rawDataRoot, string dataset, BadSamplePolicy policy = BadSamplePolicy.Fail)
    {
        ModelVsHumanDatasets.Get(dataset);
        var folder = Path.Combine(rawDataRoot, dataset);
        var files = Directory.Exists(folder)
            ? Directory.GetFiles(folder, $"{dataset}_subject-*.csv").Order(StringComparer.Ordinal).ToList()
            : [];
        if (files.Count == 0)
            throw new DataFileException(folder, DataProblem.MissingFile,
                $"no human data files (expected {dataset}_subject-<NN>_session_<n>.csv)",
                "Point the raw-data root at the benchmark's raw-data/ folder");
        var report = new LoadReport($"model-vs-human human trials {dataset}");
        var trials = new List<HumanTrial>();
        foreach (var f in files) trials.AddRange(ReadFile(f, policy, report));
        return new HumanTrialSet(trials, report);
    }

    public static IReadOnlyList<HumanTrial> ReadFile(string path, BadSamplePolicy policy, LoadReport report)
    {
        if (!File.Exists(path))
            throw new DataFileException(path, DataProblem.MissingFile, "human data file not found", "Check the raw-data path");
        using var reader = new StreamReader(path);
        var headerLine = reader.ReadLine()
            ?? throw new DataFileException(path, DataProblem.MalformedFile, "empty file; expected a header line", "Restore the file");
        var header = SplitCsv(headerLine).Select(h => h.Trim().ToLowerInvariant()).ToList();
        var at = Columns.Select(c => header.IndexOf(c)).ToArray();
        var missing = Columns.Where((c, i) => at[i] < 0).ToList();
        if (missing.Count > 0)
            throw new DataFileException(path, DataProblem.MalformedFile,
                $"header lacks column(s) {string.Join(", ", missing)}; expected {string.Join(",", Columns)}", "Restore the file");

        var trials = new List<HumanTrial>();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            report.Listed++;
            var where = lineNumber;
            report.Try(policy, $"{Path.GetFileName(path)}:{where}", () => trials.Add(Parse(SplitCsv(line), at, header.Count, path, where)));
        }
        return trials;
    }

    static HumanTrial Parse(List<string> f, int[] at, int columns, string path, int line)
    {
        if (f.Count != columns)
            throw new DataFileException(path, DataProblem.MalformedFile, $"line {line} has {f.Count} fields, the header {columns}", "Fix the line");
        string Field(int i) => f[at[i]].Trim();
        int Int(int i) => int.TryParse(Field(i), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
            : throw new DataFileException(path, DataProblem.MalformedFile, $"line {line}: {Columns[i]} is '{Field(i)}', expected an integer", "Fix the line");
        string Category(int i, bool mayBeNoAnswer)
        {
            var c = Field(i);
            if ((mayBeNoAnswer && c == NoAnswer) || ModelVsHumanCategories.IndexOf(c) >= 0) return c;
            throw new DataFileException(path, DataProblem.UnknownClass,
                $"line {line}: {Columns[i]} '{c}' is not one of the 16 categories ({string.Join(", ", ModelVsHumanCategories.Names)})" +
                (mayBeNoAnswer ? $" or '{NoAnswer}'" : ""), "Fix the line");
        }
        var response = Category(4, mayBeNoAnswer: true);
        double? rt = double.TryParse(Field(3), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && !double.IsNaN(seconds)
            ? seconds : null;
        var image = Field(7);
        return new HumanTrial(Field(0), Int(1), Int(2), image, ModelVsHumanImageName.ImageId(image), Field(6),
            response == NoAnswer ? null : response, Category(5, mayBeNoAnswer: false), rt);
    }

    /// <summary>Splits one CSV line (RFC 4180 quoting).</summary>
    static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else current.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(ch);
        }
        fields.Add(current.ToString());
        return fields;
    }
}
