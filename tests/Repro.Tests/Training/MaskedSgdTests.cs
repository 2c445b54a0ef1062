using Repro.Config;
using Repro.Models;
using Repro.Pruning;
using Repro.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Tests.Training;

[Trait("Category", TestCategories.Unit)]
public class MaskedSgdTests
{
    static List<Tensor> Train(string architecture, bool flat, bool channelsLast) =>
        Train(architecture, channelsLast, (model, masks) => IMaskedSgd.Create(model, masks, 0.05, 0.9, 1e-3, flat));

    static List<Tensor> Train(string architecture, bool channelsLast, Func<nn.Module, PruningMasks, IMaskedSgd> optimizer)
    {
        manual_seed(11);
        var model = ModelZoo.Create(new ModelConfig { Architecture = architecture, Width = 0.25, PatchSize = architecture == "vit_b_32" ? 8 : null, Depths = architecture == "vit_b_32" ? [2] : null }, 5, 32);
        if (channelsLast) MemoryLayout.ToChannelsLast(model);
        var masks = OneShotMagnitudePruning.Prune(model, PrunedLayers.ConvAndLinear, 0.4);
        using var sgd = optimizer(model, masks);
        model.train();
        manual_seed(12);
        var x = randn(4, 3, 32, 32);
        if (channelsLast) x = MemoryLayout.ChannelsLast(x);
        var y = tensor(new long[] { 0, 1, 2, 3 });
        for (var step = 0; step < 4; step++)
        {
            sgd.LearningRate = 0.05 / (step + 1);
            using var scope = NewDisposeScope();
            var loss = nn.functional.cross_entropy(model.call(x), y);
            sgd.ZeroGrad();
            loss.backward();
            sgd.Step();
        }
        Assert.InRange(masks.MeasuredSparsity(), 0.399, 0.401);
        if (channelsLast) Assert.All(model.parameters().Where(p => p.dim() == 4), p => Assert.True(MemoryLayout.IsChannelsLast(p)));
        // Parameters that are views into the flat buffer still go through the checkpoint writer and back.
        using var dir = new TempDir();
        var store = new CheckpointStore(dir.Path);
        var info = new CheckpointInfo(architecture, 0.25, 5, 0, "ConvAndLinear", "f");
        if (channelsLast) MemoryLayout.ToContiguous(model);
        store.Save(0, model, masks, info, new IterationMetrics());
        CheckpointStore.Load(store.CheckpointPath(0), model, info);
        return model.state_dict().Values.Select(p => p.detach().clone()).ToList();
    }

    [Theory]
    [InlineData("resnet18", false)]
    [InlineData("resnet18", true)]
    [InlineData("vit_b_32", false)]
    public void The_flat_update_gives_bit_identical_weights_to_the_loop_over_parameters(string architecture, bool channelsLast)
    {
        var loop = Train(architecture, flat: false, channelsLast);
        var flat = Train(architecture, flat: true, channelsLast);
        Assert.Equal(loop.Count, flat.Count);
        for (var i = 0; i < loop.Count; i++)
            Assert.True(loop[i].eq(flat[i]).all().ToBoolean(), $"parameter {i} {string.Join("x", loop[i].shape)} differs by up to {(loop[i] - flat[i]).abs().max().to(ScalarType.Float64).item<double>()} ({loop[i].dtype}, {loop[i].sum().to(ScalarType.Float64).item<double>()} against {flat[i].sum().to(ScalarType.Float64).item<double>()})");
    }

    /// <summary>TorchSharp's own SGD with the masks around it: what the per-parameter loop replaced.</summary>
    sealed class TorchSharpSgd(nn.Module model, PruningMasks masks) : IMaskedSgd
    {
        readonly optim.Optimizer _sgd = optim.SGD(model.parameters(), 0.05, 0.9, weight_decay: 1e-3);
        public double LearningRate { set { foreach (var g in _sgd.ParamGroups) g.LearningRate = value; } }
        public void ZeroGrad() => _sgd.zero_grad();
        public void Step()
        {
            masks.ApplyToGradients();
            _sgd.step();
            masks.ApplyToWeights();
        }
        public void SaveState(BinaryWriter writer) => throw new NotSupportedException("a reference for one training run, never resumed");
        public void LoadState(BinaryReader reader) => throw new NotSupportedException("a reference for one training run, never resumed");
        public void Dispose() => _sgd.Dispose();
    }

    [Theory]
    [InlineData("resnet18")]
    [InlineData("vit_b_32")]
    public void The_loop_over_parameters_gives_bit_identical_weights_to_TorchSharps_SGD(string architecture)
    {
        var reference = Train(architecture, false, (model, masks) => new TorchSharpSgd(model, masks));
        var loop = Train(architecture, flat: false, channelsLast: false);
        Assert.Equal(reference.Count, loop.Count);
        for (var i = 0; i < loop.Count; i++)
            Assert.True(reference[i].eq(loop[i]).all().ToBoolean(), $"tensor {i} {string.Join("x", loop[i].shape)} differs");
    }
}
