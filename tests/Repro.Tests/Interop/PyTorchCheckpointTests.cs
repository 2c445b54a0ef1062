using Repro.Config;
using Repro.Interop;
using Repro.Models;
using Repro.Pruning;
using static TorchSharp.torch;

namespace Repro.Tests.Interop;

[Trait("Category", TestCategories.Unit)]
public sealed class PyTorchCheckpointTests : IDisposable
{
    // Written by tools/parity/make_reference.py --fixture with torch 1.13: a DataParallel-wrapped torchvision
    // VisionTransformer (16 px, patch 8, 1 layer, 2 heads, hidden 8, MLP 32, 3 classes) pruned 50 % with
    // prune.global_unstructured over Conv2d+Linear, saved as the authors' train.py saves checkpoints
    // ({"model", "optimizer", "epoch", "args", "sparsity"}) plus a reference input and torch's logits for it.
    static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "vit_tiny_pruned_checkpoint.pt");

    readonly TempDir _tmp = new();
    readonly string _dir;

    public PyTorchCheckpointTests() => _dir = _tmp.Path;

    public void Dispose() => _tmp.Dispose();

    static VisionTransformer TinyViT(int seed = 0)
    {
        manual_seed(seed);
        return new VisionTransformer("vit_tiny", imageSize: 16, patchSize: 8, numLayers: 1, numHeads: 2, hiddenDim: 8, mlpDim: 32, numClasses: 3);
    }

    static nn.Module<Tensor, Tensor> ResNet(double width) =>
        ModelZoo.Create(new ModelConfig { Architecture = "resnet18", Width = width, Depths = [1, 1, 1, 1] }, 10);

    [Fact]
    public void Reads_a_torch_written_pruned_training_checkpoint()
    {
        using var vit = TinyViT();
        vit.eval();
        using var masks = PyTorchCheckpoint.Load(Fixture, vit, PrunedLayers.ConvAndLinear);

        // torch pruned round(0.5 × prunable) weights globally; the masks and the zeros agree.
        Assert.Equal(8 * 3 * 64 + 8 * 8 + 2 * 8 * 32 + 3 * 8, masks.TotalCount);
        Assert.Equal(masks.TotalCount / 2, masks.RemainingCount);
        Assert.Equal(0.5, masks.MeasuredSparsity(), 6);
        Assert.DoesNotContain(masks.Masks.Keys, k => k.Contains("in_proj"));

        var reference = TorchSaveFile.ReadTopLevel(Fixture);
        using var _ = no_grad();
        using var logits = vit.call(reference["reference_input"]);
        Assert.True(logits.allclose(reference["reference_logits"], rtol: 1e-4, atol: 1e-6));
    }

    [Fact]
    public void Masks_for_layers_outside_the_pruned_set_are_refused()
    {
        using var vit = TinyViT();
        var e = Assert.Throws<InvalidDataException>(() => PyTorchCheckpoint.Load(Fixture, vit, PrunedLayers.Conv));
        Assert.Contains(Fixture, e.Message);
        Assert.Contains("heads.head.weight", e.Message);
        Assert.Contains("pruning.layers", e.Message);
    }

    [Fact]
    public void Exported_checkpoints_read_back_identically()
    {
        using var source = TinyViT(seed: 1);
        using var masks = OneShotMagnitudePruning.Prune(source, PrunedLayers.ConvAndLinear, 0.6);
        var pruned = Path.Combine(_dir, "pruned.pt");
        var plain = Path.Combine(_dir, "plain.pt");
        PyTorchCheckpoint.Save(pruned, source, masks);
        PyTorchCheckpoint.Save(plain, source);

        var names = TorchSaveFile.ReadStateDict(pruned).Keys.ToList();
        Assert.Contains("conv_proj.weight_orig", names);
        Assert.Contains("conv_proj.weight_mask", names);
        Assert.Contains("encoder.layers.encoder_layer_0.self_attention.in_proj_weight", names);

        foreach (var path in new[] { pruned, plain })
        {
            using var target = TinyViT(seed: 2);
            using var loaded = PyTorchCheckpoint.Load(path, target, PrunedLayers.ConvAndLinear);
            var expected = source.state_dict();
            foreach (var (name, t) in target.state_dict())
                Assert.True(t.eq(expected[name]).all().item<bool>(), $"{path}: '{name}' differs");
            foreach (var (name, m) in masks.Masks)
                Assert.True(loaded.Masks[name].eq(m).all().item<bool>(), $"{path}: mask '{name}' differs");
        }
    }

    [Fact]
    public void Module_parallel_prefix_is_stripped()
    {
        using var source = ResNet(0.125);
        var path = Path.Combine(_dir, "parallel.pt");
        TorchSaveFile.Write(path, source.state_dict().ToDictionary(kv => "module." + kv.Key, kv => kv.Value));
        using var target = ResNet(0.125);
        using var _ = PyTorchCheckpoint.Load(path, target, PrunedLayers.ConvAndLinear);
        Assert.True(target.state_dict()["layer4.0.conv2.weight"].eq(source.state_dict()["layer4.0.conv2.weight"]).all().item<bool>());
        Assert.Equal(0, target.state_dict()["bn1.num_batches_tracked"].dim());
    }

    [Fact]
    public void Another_width_fails_naming_both_shapes()
    {
        using var narrow = ResNet(0.125);
        var path = Path.Combine(_dir, "narrow.pt");
        PyTorchCheckpoint.Save(path, narrow);
        using var wide = ResNet(0.25);
        var e = Assert.Throws<InvalidDataException>(() => PyTorchCheckpoint.Load(path, wide, PrunedLayers.ConvAndLinear));
        Assert.Contains(path, e.Message);
        Assert.Contains("'conv1.weight': checkpoint [8, 3, 7, 7], model [16, 3, 7, 7]", e.Message);
        Assert.Contains("another architecture, width or class count", e.Message);
    }

    [Fact]
    public void Another_architecture_fails_listing_missing_and_unexpected_keys()
    {
        using var vit = TinyViT();
        var path = Path.Combine(_dir, "vit.pt");
        PyTorchCheckpoint.Save(path, vit);
        using var resnet = ResNet(0.125);
        var e = Assert.Throws<InvalidDataException>(() => PyTorchCheckpoint.Load(path, resnet, PrunedLayers.ConvAndLinear));
        Assert.Contains("missing key(s): [", e.Message);
        Assert.Contains("layer1.0.conv1.weight", e.Message);
        Assert.Contains("unexpected key(s): [", e.Message);
        Assert.Contains("encoder.pos_embedding", e.Message);
    }

    [Fact]
    public void Files_that_are_not_torch_save_zips_are_rejected_by_name()
    {
        var text = Path.Combine(_dir, "notes.pt");
        File.WriteAllText(text, "not a checkpoint");
        var e = Assert.Throws<InvalidDataException>(() => TorchSaveFile.ReadStateDict(text));
        Assert.Contains(text, e.Message);
        Assert.Contains("torch.save", e.Message);
        var missing = Path.Combine(_dir, "absent.pt");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => TorchSaveFile.ReadStateDict(missing)).Message);
    }
}
