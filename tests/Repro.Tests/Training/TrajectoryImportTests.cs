using Repro.Config;
using Repro.Interop;
using Repro.Models;
using Repro.Pruning;
using Repro.Training;
using static TorchSharp.torch;

namespace Repro.Tests.Training;

/// <summary>
/// Trajectories imported from PyTorch checkpoint folders instead of trained: one test per accepted checkpoint form,
/// the refusals, and the cache. The checked-in fixture (tools/trajectory/make_fixture.py) is the PyTorch-written form.
/// </summary>
[Trait("Category", TestCategories.Unit)]
public sealed class TrajectoryImportTests : IDisposable
{
    internal static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "trajectory");
    /// <summary>The fixture's (train.py's) name of iteration <paramref name="k"/>'s checkpoint.</summary>
    internal static string FixtureFile(int k) => $"model_epoch_1_pruning_iteration_{k}.pth";

    readonly TempDir _tmp = new();
    readonly List<string> _log = [];

    public void Dispose() => _tmp.Dispose();

    static readonly ModelConfig Small = new() { Architecture = "resnet18", Width = 0.0625, Depths = [1, 1, 1, 1] };

    /// <summary>TinyProfile's data with <paramref name="model"/>, reading its checkpoints from <paramref name="dir"/> (the profile's trajectory.dir).</summary>
    static Profile ImportProfile(string dir, ModelConfig model, int iterations = 2, int classes = 3, bool control = false, int imageSize = 32)
    {
        var p = TestSupport.TinyProfile(iterations);
        p.Name = "tiny-import";
        p.Data.Synthetic = new SyntheticConfig { Classes = classes, TrainPerClass = 1, ValPerClass = 2, ImageSize = imageSize };
        p.Data.ImageSize = imageSize;
        p.Data.ResizeSize = imageSize + imageSize / 8;
        p.Models = [model];
        p.Pruning.Control = control;
        p.Trajectory = new TrajectoryConfig { Dir = dir };
        return p;
    }

    RunContext Context(Profile p) => TestSupport.Context(p, _tmp.Combine("cache"), _log, _tmp.Combine("reports"));

    /// <summary>Iterations 0..2 of <see cref="Small"/>, pruned 20 % more each time, each written by <paramref name="save"/>; returns each iteration's weights (pruned ones zero) and masks.</summary>
    List<(Dictionary<string, Tensor> Weights, Dictionary<string, Tensor> Masks)> WriteTrajectory(Action<string, Dictionary<string, Tensor>, Dictionary<string, Tensor>> save)
    {
        var folder = Directory.CreateDirectory(_tmp.Combine("source", "resnet18")).FullName;
        manual_seed(3);
        using var net = ModelZoo.Create(Small, 3, 32);
        var written = new List<(Dictionary<string, Tensor>, Dictionary<string, Tensor>)>();
        for (var k = 0; k <= 2; k++)
        {
            var dense = net.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
            using var masks = OneShotMagnitudePruning.Prune(net, PrunedLayers.ConvAndLinear, GlobalMagnitudePruner.NominalSparsity(0.2, k));
            var maskCopies = masks.Masks.ToDictionary(kv => kv.Key, kv => kv.Value.clone());
            var pruned = dense.ToDictionary(kv => kv.Key, kv => maskCopies.TryGetValue(kv.Key, out var m) ? kv.Value * m : kv.Value);
            save(Path.Combine(folder, FixtureFile(k)), dense, maskCopies);
            written.Add((pruned, maskCopies));
        }
        return written;
    }

    void AssertImported(Profile p, List<(Dictionary<string, Tensor> Weights, Dictionary<string, Tensor> Masks)> expected)
    {
        var trajectory = new Trajectory(Context(p), p.Models[0]);
        var metrics = trajectory.Ensure();
        Assert.Equal(expected.Count, metrics.Count);
        for (var k = 0; k < expected.Count; k++)
        {
            var (weights, masks) = expected[k];
            var total = masks.Values.Sum(m => m.numel());
            var kept = masks.Values.Sum(m => m.count_nonzero().item<long>());
            Assert.Equal(1 - kept / (double)total, metrics[k].MeasuredSparsity, 12);
            Assert.Equal(kept, metrics[k].NonzeroWeights);
            Assert.Contains(FixtureFile(k), metrics[k].ImportedFrom);
            Assert.True(double.IsNaN(metrics[k].TrainLoss) && metrics[k].TrainSeconds == 0, "an imported iteration is not trained");
            Assert.InRange(metrics[k].Top1, 0, 1);
            var (net, loaded) = trajectory.Load(k);
            using (net)
            using (loaded)
            {
                foreach (var (name, t) in net.state_dict())
                    Assert.True(t.reshape(weights[name].shape).eq(weights[name]).all().item<bool>(), $"iteration {k}: '{name}' differs");
                foreach (var (name, m) in masks)
                    Assert.True(loaded.Masks[name].eq(m.to(ScalarType.Bool)).all().item<bool>(), $"iteration {k}: mask '{name}' differs");
            }
            Assert.Contains(_log, l => l.Contains($"iter {k}/2: imported") && l.Contains($"measured sparsity {metrics[k].MeasuredSparsity:P2}"));
        }
        Assert.DoesNotContain(_log, l => l.Contains(": training "));
    }

    [Fact]
    public void Torchvision_state_dicts_count_zero_weights_as_pruned()
    {
        var expected = WriteTrajectory((path, dense, masks) =>
            TorchSaveFile.Write(path, dense.ToDictionary(kv => kv.Key, kv => masks.TryGetValue(kv.Key, out var m) ? kv.Value * m : kv.Value)));
        Assert.DoesNotContain(TorchSaveFile.ReadStateDict(_tmp.Combine("source", "resnet18", FixtureFile(2))).Keys, k => k.EndsWith("_mask"));
        AssertImported(ImportProfile(_tmp.Combine("source"), Small), expected);
    }

    [Fact]
    public void Torch_prune_weight_orig_and_weight_mask_give_the_masks()
    {
        // weight_orig keeps the dense values under a zero mask: the sparsity can only come from weight_mask.
        var expected = WriteTrajectory((path, dense, masks) =>
        {
            var state = new Dictionary<string, Tensor>();
            foreach (var (name, t) in dense)
                if (masks.TryGetValue(name, out var m))
                {
                    state[name[..^".weight".Length] + ".weight_orig"] = t;
                    state[name[..^".weight".Length] + ".weight_mask"] = m.to(ScalarType.Float32);
                }
                else state[name] = t;
            TorchSaveFile.Write(path, state);
        });
        AssertImported(ImportProfile(_tmp.Combine("source"), Small), expected);
    }

    [Fact]
    public void DataParallel_module_prefix_is_stripped()
    {
        var expected = WriteTrajectory((path, dense, masks) =>
            TorchSaveFile.Write(path, dense.ToDictionary(kv => "module." + kv.Key, kv => masks.TryGetValue(kv.Key, out var m) ? kv.Value * m : kv.Value)));
        AssertImported(ImportProfile(_tmp.Combine("source"), Small), expected);
    }

    /// <summary>The fixture's ResNet-18 (10 classes, width 1/32) and ViT (hidden 12, one layer, patch 16, 112 px).</summary>
    internal static readonly ModelConfig FixtureResNet = new() { Architecture = "resnet18", Width = 0.03125 };
    internal static readonly ModelConfig FixtureViT = new() { Architecture = "vit_b_32", Width = 0.015625, Depths = [1], PatchSize = 16 };

    /// <summary>What the suite should read from a PyTorch-written file: weights (orig × mask) and masks, by the suite's names.</summary>
    static (Dictionary<string, Tensor> Weights, Dictionary<string, Tensor> Masks) Expected(string file)
    {
        var raw = TorchSaveFile.ReadStateDict(file).ToDictionary(kv => kv.Key["module.".Length..], kv => kv.Value);
        var weights = new Dictionary<string, Tensor>();
        var masks = new Dictionary<string, Tensor>();
        foreach (var (name, t) in raw)
            if (name.EndsWith(".weight_orig"))
            {
                var stem = name[..^".weight_orig".Length];
                weights[stem + ".weight"] = t * raw[stem + ".weight_mask"];
                masks[stem + ".weight"] = raw[stem + ".weight_mask"];
            }
            else if (!name.EndsWith(".weight_mask")) weights[name] = t;
        return (weights, masks);
    }

    [Theory]
    [InlineData("resnet18")]
    [InlineData("vit_b_32")]
    public void Whole_training_checkpoints_with_optimizer_state_and_args_namespace_import(string folder)
    {
        var model = folder == "resnet18" ? FixtureResNet : FixtureViT;
        var p = ImportProfile(Fixture, model, classes: 10, imageSize: 112);
        var expected = Enumerable.Range(0, 3).Select(k => Expected(Path.Combine(Fixture, folder, FixtureFile(k)))).ToList();
        // iteration 0 is dense and saved without masks: its prunable weights are all kept
        using var net = ModelZoo.Create(model, 10, 112);
        var dense = PruningMasks.PrunableWeights(net, PrunedLayers.ConvAndLinear).ToDictionary(kv => kv.Key, kv => ones_like(kv.Value));
        expected[0] = (expected[0].Weights, dense);
        Assert.Equal(0.2, 1 - expected[1].Masks.Values.Sum(m => m.count_nonzero().item<long>()) / (double)expected[1].Masks.Values.Sum(m => m.numel()), 3);
        AssertImported(p, expected);
    }

    [Fact]
    public void A_checkpoint_that_does_not_fit_is_refused_naming_the_file_the_key_and_what_to_do()
    {
        var p = ImportProfile(Fixture, new ModelConfig { Architecture = "resnet18", Width = 0.0625 }, classes: 10);
        var e = Assert.Throws<InvalidDataException>(() => new Trajectory(Context(p), p.Models[0]).Ensure());
        Assert.Contains(Path.Combine(Fixture, "resnet18", FixtureFile(0)), e.Message);
        Assert.Contains("pruning iteration 0", e.Message);
        Assert.Contains("'conv1.weight': checkpoint [2, 3, 7, 7], model [4, 3, 7, 7]", e.Message);
        Assert.Contains("Make models[] of profile 'tiny-import'", e.Message);
    }

    [Fact]
    public void Fewer_iterations_than_the_profile_asks_for_are_refused()
    {
        var p = ImportProfile(Fixture, FixtureResNet, iterations: 4, classes: 10);
        var e = Assert.Throws<ConfigException>(() => new Trajectory(Context(p), p.Models[0]).Ensure());
        Assert.Contains("holds pruning iterations 0..2, but profile 'tiny-import' asks for 0..4", e.Message);
        Assert.Contains("Set models[].iterations (or pruning.iterations) to 2", e.Message);
    }

    [Fact]
    public void More_iterations_than_the_profile_asks_for_use_the_profiles_count_and_say_so()
    {
        var p = ImportProfile(Fixture, FixtureResNet, iterations: 1, classes: 10);
        var metrics = new Trajectory(Context(p), p.Models[0]).Ensure();
        Assert.Equal([0, 1], metrics.Select(m => m.Iteration));
        Assert.Contains(_log, l => l.Contains("holds iterations 0..2; the profile asks for 0..1, so 1 are left out"));
    }

    [Fact]
    public void The_control_arm_is_left_out_and_said_so()
    {
        var p = ImportProfile(Fixture, FixtureResNet, classes: 10, control: true);
        var arms = Trajectory.Arms(Context(p), p.Models[0]);
        Assert.False(Assert.Single(arms).IsControl);
        Assert.Contains(_log, l => l.Contains(Trajectory.NoControlFromImport));
    }

    [Fact]
    public void Imports_are_cached_by_the_files_content()
    {
        var source = _tmp.Combine("copy");
        Directory.CreateDirectory(Path.Combine(source, "resnet18"));
        foreach (var f in Directory.GetFiles(Path.Combine(Fixture, "resnet18")))
            File.Copy(f, Path.Combine(source, "resnet18", Path.GetFileName(f)));
        var p = ImportProfile(source, FixtureResNet, classes: 10);
        var first = new Trajectory(Context(p), p.Models[0]);
        first.Ensure();
        Assert.Equal(3, _log.Count(l => l.Contains(": imported ")));

        _log.Clear();
        var again = new Trajectory(Context(p), p.Models[0]);
        again.Ensure();
        Assert.Equal(first.Store.Directory, again.Store.Directory);
        Assert.DoesNotContain(_log, l => l.Contains(": imported "));

        // another iteration 1: a new store, imported afresh
        File.WriteAllBytes(Path.Combine(source, "resnet18", FixtureFile(1)), File.ReadAllBytes(Path.Combine(source, "resnet18", FixtureFile(2))));
        _log.Clear();
        var changed = new Trajectory(Context(p), p.Models[0]);
        var metrics = changed.Ensure();
        Assert.NotEqual(first.Store.Directory, changed.Store.Directory);
        Assert.Equal(3, _log.Count(l => l.Contains(": imported ")));
        Assert.Equal(metrics[2].MeasuredSparsity, metrics[1].MeasuredSparsity);
    }
}
