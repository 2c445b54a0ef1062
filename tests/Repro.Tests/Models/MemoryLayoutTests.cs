using Repro.Config;
using Repro.Models;
using Repro.Pruning;
using Repro.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Tests.Models;

[Trait("Category", TestCategories.Unit)]
public class MemoryLayoutTests
{
    [Fact]
    public void Channels_last_keeps_values_and_gives_NHWC_strides()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 3, 5, 7);
        var cl = MemoryLayout.ChannelsLast(x);
        Assert.False(MemoryLayout.IsChannelsLast(x));
        Assert.True(MemoryLayout.IsChannelsLast(cl));
        Assert.Equal([105L, 1L, 21L, 3L], cl.stride());
        Assert.True(x.eq(cl).all().ToBoolean());
    }

    [Fact]
    public void Model_relaid_out_channels_last_computes_the_same_and_stays_so_through_training()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var model = ModelZoo.Create(new ModelConfig { Architecture = "resnet18", Width = 0.25 }, 4, 32);
        model.eval();
        var x = randn(2, 3, 32, 32);
        var before = model.call(x).detach();
        var parameters = model.parameters().ToList();
        MemoryLayout.ToChannelsLast(model);
        Assert.True(parameters.Zip(model.parameters()).All(p => ReferenceEquals(p.First, p.Second)));
        Assert.All(model.parameters().Where(p => p.dim() == 4), p => Assert.True(MemoryLayout.IsChannelsLast(p)));
        Assert.True(before.allclose(model.call(MemoryLayout.ChannelsLast(x)), rtol: 1e-4, atol: 1e-5));

        // Masked SGD as the trainer runs it keeps both the layout and the zeros.
        using var masks = OneShotMagnitudePruning.Prune(model, PrunedLayers.ConvAndLinear, 0.5);
        model.train();
        using var sgd = optim.SGD(model.parameters(), 0.01, 0.9, weight_decay: 1e-4);
        for (var i = 0; i < 2; i++)
        {
            var loss = nn.functional.cross_entropy(model.call(MemoryLayout.ChannelsLast(x)), tensor(new long[] { 0, 1 }));
            sgd.zero_grad();
            loss.backward();
            masks.ApplyToGradients();
            sgd.step();
            masks.ApplyToWeights();
        }
        Assert.All(model.parameters().Where(p => p.dim() == 4), p => Assert.True(MemoryLayout.IsChannelsLast(p)));
        Assert.InRange(masks.MeasuredSparsity(), 0.499, 0.501);

        MemoryLayout.ToContiguous(model);
        Assert.All(model.parameters(), p => Assert.True(p.is_contiguous()));
    }

    [Fact]
    public void A_model_trained_channels_last_saves_and_loads_its_checkpoint()
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var config = new ModelConfig { Architecture = "resnet18", Width = 0.25 };
        manual_seed(4);
        var model = ModelZoo.Create(config, 3, 32);
        MemoryLayout.ToChannelsLast(model);
        // Masks made from channels-last weights are channels-last too.
        using var masks = PruningMasks.Dense(model, PrunedLayers.ConvAndLinear);
        MemoryLayout.ToContiguous(model);
        var info = new CheckpointInfo("resnet18", 0.25, 3, 0, "ConvAndLinear", "f");
        var store = new CheckpointStore(dir.Path);
        store.Save(0, model, masks, info, new IterationMetrics());

        var copy = ModelZoo.Create(config, 3, 32);
        var loaded = CheckpointStore.Load(store.CheckpointPath(0), copy, info);
        Assert.Equal(masks.Masks.Count, loaded.Count);
        Assert.True(model.parameters().Zip(copy.parameters()).All(p => p.First.eq(p.Second).all().ToBoolean()));
    }
}
