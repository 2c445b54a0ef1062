using Repro.Config;

namespace Repro.Measurement.Discovery;

/// <summary>
/// Per-image predictions of one discovery run at one pruning iteration, with the summary they give:
/// &lt;directory&gt;/iter-NN.yaml, written atomically so an interrupted run never leaves a partial file.
/// </summary>
public sealed class DiscoveryPredictionsFile
{
    /// <summary>"lost" or "centred-box".</summary>
    public required string Method { get; set; }
    /// <summary>e.g. "VOC2012 trainval".</summary>
    public required string Dataset { get; set; }
    /// <summary>The model's key (architecture and width), empty for a model-free baseline.</summary>
    public string Model { get; set; } = "";
    public int Iteration { get; set; }
    /// <summary>Measured sparsity in percent of the model at this iteration.</summary>
    public double Sparsity { get; set; }
    /// <summary>What the features were (backbone, layer, stride), empty for a model-free baseline.</summary>
    public string Features { get; set; } = "";
    public bool NoHard { get; set; }
    public required CorLocSummary Summary { get; set; }
    public required List<ImagePrediction> Images { get; set; }

    public static string PathFor(string directory, int iteration) => Path.Combine(directory, $"iter-{iteration:D2}.yaml");

    public void Save(string path) => StrictYaml.SaveAtomically(path, this);

    public static DiscoveryPredictionsFile Load(string path) => StrictYaml.LoadFile<DiscoveryPredictionsFile>(path,
        "It is written by the object-discovery figure; delete the folder to recompute it.");
}
