using System.Text.RegularExpressions;

namespace Repro.Data.ModelVsHuman;

/// <summary>
/// The benchmark's image file naming, as its code reads it.
/// <list type="bullet">
/// <item>Session datasets (12 parametric, sketch, stylized): <c>NNNN_exp_subj_condition_category_nn_source.png</c>,
/// e.g. <c>0001_cl_dnn_cr_oven_40_n04111531_14126.png</c> (images) or <c>..._s01_...</c> (the same image in a
/// subject's trial list); underscore-separated field 3 is the condition, field 4 the category
/// (InfoMappingWithSessions).</item>
/// <item>Category-folder datasets: the category is the folder; edge/silhouette files are <c>airplane1.png</c>,
/// cue-conflict files <c>shapeN-textureM.png</c> (shape category, texture category), e.g. <c>airplane1-bicycle2.png</c>.</item>
/// <item>The image id that links a model's image to human trials is the name without the per-trial prefix
/// (plotting_helper.get_short_imagename): the last underscore field, or the last two when the second-to-last
/// starts with "n0" (an ImageNet source name such as n04111531_14126.png).</item>
/// </list>
/// </summary>
public static partial class ModelVsHumanImageName
{
    public static string ImageId(string fileName)
    {
        var parts = fileName.Split('_');
        if (parts.Length == 1) return fileName;
        return parts[^2].StartsWith("n0", StringComparison.Ordinal) ? parts[^2] + "_" + parts[^1] : parts[^1];
    }

    /// <summary>Condition and category of a session-dataset file name; null when the name has fewer than 6 fields.</summary>
    public static (string Condition, string Category)? ParseSessionName(string fileName)
    {
        var parts = fileName.Split('_');
        return parts.Length < 6 ? null : (parts[3], parts[4]);
    }

    /// <summary>Shape and texture categories of a cue-conflict file name (airplane1-bicycle2.png); null if it does not match.</summary>
    public static (string Shape, string Texture)? ParseCueConflictName(string fileName)
    {
        var m = CueConflict().Match(Path.GetFileNameWithoutExtension(fileName));
        return m.Success ? (m.Groups[1].Value, m.Groups[2].Value) : null;
    }

    [GeneratedRegex(@"^([a-z]+)[0-9]+-([a-z]+)[0-9]+$")]
    private static partial Regex CueConflict();
}
