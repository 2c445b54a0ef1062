namespace Repro.Data;

/// <summary>The kinds of bad dataset input a loader tells apart (and a <see cref="LoadReport"/> counts).</summary>
public enum DataProblem
{
    MissingFile,
    MalformedFile,
    BoxOutsideImage,
    UnknownClass,
    SizeMismatch,
    NotPaletteMask,
    UnreadableImage,
    DuplicateEntry,
}

/// <summary>
/// A dataset file that does not have the expected content. The message names the file, what was wrong or
/// expected, and what to do about it.
/// </summary>
public sealed class DataFileException(string path, DataProblem problem, string detail, string remedy)
    : Config.BadInputException($"{path}: {detail}. {remedy}")
{
    public string PathName { get; } = path;
    public DataProblem Problem { get; } = problem;
}
