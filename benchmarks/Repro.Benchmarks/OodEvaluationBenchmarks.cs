using BenchmarkDotNet.Attributes;
using Repro.Config;
using Repro.Figures;
using Repro.Measurement.Alignment.Evaluation;
using Repro.Measurement.Alignment.Metrics;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Benchmarks;

/// <summary>
/// The full model-vs-human evaluation of one checkpoint on the smoke profile, as the human-alignment figure does it per
/// iteration: the dense quarter-width ResNet-18 on every image of the 17 generated sets in batches of
/// data.eval_batch_size, the decisions, and the summary numbers (per-dataset top-1, OOD accuracy, the three consistency
/// metrics against the dense model, shape bias). Setup decodes the cached sets and loads the cached checkpoint
/// (generating or training whatever the cache lacks). Run with --filter '*OodEvaluation*'.
/// </summary>
[Config(typeof(InProcessShortRun))]
public class OodEvaluationBenchmarks
{
    Profile _profile = null!;
    OodSuite _suite = null!;
    IDecisionRule _rule = null!;
    nn.Module<Tensor, Tensor> _model = null!;

    [GlobalSetup]
    public void Setup()
    {
        var root = RepoRoot.Find();
        _profile = ProfileLoader.Load(root, "smoke");
        var context = new RunContext(_profile, root, null, null, DeviceChoice.Cpu, Console.WriteLine);
        _suite = AlignmentRecipe.OpenSuite(context, _profile.Alignment!.Datasets);
        _rule = AlignmentRecipe.DecisionRule(context, _suite);
        var trajectory = new Trajectory(context, _profile.Models[0]);
        trajectory.Ensure();
        var (model, masks) = trajectory.Load(0);
        masks.Dispose();
        _model = model;
    }

    [GlobalCleanup]
    public void Cleanup() => _model.Dispose();

    [Benchmark(Description = "smoke ResNet-18 w0.25, one checkpoint: 17 model-vs-human sets → decisions → metrics")]
    public double EvaluateOneCheckpoint()
    {
        var it = new IterationDecisions(0, 0, AlignmentRecipe.Evaluate(_model, _rule, _suite, _profile.Data, CPU));
        var sum = _suite.Datasets.Sum(d => AlignmentRecipe.Top1(it, d.Name, AlignmentRecipe.Top1Fidelity(_profile))) + OodAccuracy.Of(it.Datasets);
        foreach (var metric in new IPairwiseMetric[] { new ErrorConsistency(), new ObservedConsistency(), new AccuracyDifference() })
            sum += AlignmentRecipe.Versus(metric, _suite, it, it, "dense").Value;
        return sum + AlignmentRecipe.ShapeBiasOf(_suite, it).Bias;
    }
}
