namespace Repro.Measurement.Alignment.Metrics;

/// <summary>Who made a set of decisions.</summary>
public enum ObserverKind { Human, Model }

/// <summary>
/// What a model is compared with. Only <see cref="Human"/> results are alignment with human perception; on data
/// without psychophysics (the embedded synthetic sets) the reference is the dense model of the same trajectory,
/// and results say so.
/// </summary>
public enum ReferenceKind { Human, DenseModel }

/// <summary>One trial: an observer's 16-class (or synthetic-class) response to one image.</summary>
public sealed record Decision(string ImageId, string Condition, string Category, string Response)
{
    public bool IsCorrect => Response == Category;
}

/// <summary>All decisions of one observer (a human subject or a model) on one dataset.</summary>
public sealed record ObserverDecisions(string Observer, ObserverKind Kind, IReadOnlyList<Decision> Decisions);

/// <summary>The observers a model is compared with, and what they are.</summary>
public sealed record ReferenceGroup
{
    public ReferenceGroup(ReferenceKind kind, IReadOnlyList<ObserverDecisions> observers)
    {
        if (observers.Count == 0) throw new ArgumentException($"a {kind} reference needs at least one observer");
        var required = kind == ReferenceKind.Human ? ObserverKind.Human : ObserverKind.Model;
        foreach (var o in observers)
            if (o.Kind != required)
                throw new ArgumentException(
                    $"observer '{o.Observer}' is a {o.Kind} but the reference is {kind}: a {kind} reference takes {required} observers only");
        Kind = kind;
        Observers = observers;
    }

    public ReferenceKind Kind { get; }
    public IReadOnlyList<ObserverDecisions> Observers { get; }

    /// <summary>How tables and plots name the comparison.</summary>
    public static string Describe(ReferenceKind kind) => kind switch
    {
        ReferenceKind.Human => "vs human observers",
        _ => "vs the dense model (no human data; not human alignment)",
    };
}

/// <summary>A cue-conflict trial: the image has the shape of one class and the texture of another.</summary>
public sealed record CueConflictDecision(string ImageId, string ShapeCategory, string TextureCategory, string Response);
