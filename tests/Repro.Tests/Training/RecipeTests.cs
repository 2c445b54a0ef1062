using Repro.Config;
using Repro.Pruning;
using Repro.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Repro.Tests.Training;

/// <summary>
/// The recipe's parts against torch: the expected numbers come from Reference/recipe_reference.py run with torch 1.13
/// (the same inputs built the same way here).
/// </summary>
[Trait("Category", TestCategories.Unit)]
public class RecipeTests
{
    static Tensor Ramp(int n, double start, double step, params long[] shape) =>
        tensor(Enumerable.Range(0, n).Select(i => (float)(start + step * i)).ToArray()).reshape(shape);

    static void AssertClose(double[] expected, Tensor actual, double tolerance, string what)
    {
        var got = actual.detach().to(ScalarType.Float64).flatten().data<double>().ToArray();
        Assert.Equal(expected.Length, got.Length);
        for (var i = 0; i < got.Length; i++)
            Assert.True(Math.Abs(expected[i] - got[i]) <= tolerance, $"{what}[{i}]: expected {expected[i]:R}, got {got[i]:R}");
    }

    [Fact]
    public void AdamW_steps_match_torch_with_masks_and_a_bias_group_and_pruned_weights_stay_exactly_zero()
    {
        using var scope = NewDisposeScope();
        var fc = nn.Linear(4, 3);
        var model = nn.Sequential(("fc", fc));
        var mask = tensor(new float[] { 1, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1 }).reshape(3, 4);
        using (no_grad())
        {
            fc.weight!.copy_(Ramp(12, -0.5, 0.09, 3, 4).mul(mask));
            fc.bias!.copy_(tensor(new float[] { 0.1f, -0.2f, 0.05f }));
        }
        using var masks = PruningMasks.From(model, PrunedLayers.ConvAndLinear, new Dictionary<string, Tensor> { ["fc.weight"] = mask });
        var schedule = new ScheduleConfig { Epochs = 1, BatchSize = 1, Optimizer = OptimizerKind.Adamw, WeightDecay = 0.3, BiasWeightDecay = 0.0 };
        Assert.Equal([0.3, 0.0], WeightDecayGroups.For(model, schedule));
        using var adamw = Trainer.CreateOptimizer(model, masks, schedule, 0.01, flatOptimizer: true);
        Assert.IsType<MaskedAdamW>(adamw);
        var x = Ramp(20, -1.0, 0.1, 4, 5);
        var t = Ramp(15, 0.3, -0.05, 3, 5);
        foreach (var lr in new[] { 0.01, 0.005, 0.0025 })
        {
            adamw.LearningRate = lr;
            adamw.ZeroGrad();
            fc.weight!.matmul(x).add(fc.bias!.unsqueeze(1)).sub(t).pow(2).mean().backward();
            adamw.Step();
        }
        AssertClose([-0.48015862703323364, -0.0, -0.3293461501598358, -0.24565941095352173, -0.12253250926733017, -0.0342198871076107,
            0.0, 0.1121773049235344, 0.0, 0.32583653926849365, 0.3804379105567932, 0.4699673354625702], fc.weight!, 1e-6, "weight");
        AssertClose([0.08286020159721375, -0.21701282262802124, 0.03251030668616295], fc.bias!, 1e-6, "bias");
        Assert.True(fc.weight!.mul(mask.eq(0)).eq(0).all().ToBoolean(), "a pruned weight moved");
    }

    [Fact]
    public void Weight_decay_groups_follow_torchvisions_names_and_norm_layers()
    {
        using var scope = NewDisposeScope();
        var model = Repro.Models.ModelZoo.Create(new ModelConfig { Architecture = "vit_b_32", Width = 0.25, PatchSize = 8, Depths = [1] }, 5, 32);
        var schedule = new ScheduleConfig { Epochs = 1, BatchSize = 1, WeightDecay = 0.3, NormWeightDecay = 0.01, TransformerEmbeddingDecay = 0.02 };
        var decays = WeightDecayGroups.For(model, schedule);
        var names = model.named_parameters().Select(p => p.name).ToList();
        double DecayOf(string name) => decays[names.IndexOf(name)];
        Assert.Equal(0.02, DecayOf("class_token"));
        // torchvision's key is position_embedding, ViT's parameter pos_embedding: it keeps weight_decay there too.
        Assert.Equal(0.3, DecayOf("encoder.pos_embedding"));
        Assert.Equal(0.01, DecayOf("encoder.ln.weight"));
        Assert.Equal(0.01, DecayOf("encoder.ln.bias"));
        Assert.Equal(0.3, DecayOf("heads.head.bias"));
        Assert.Equal(0.3, DecayOf("conv_proj.weight"));
        schedule.BiasWeightDecay = 0.0;
        decays = WeightDecayGroups.For(model, schedule);
        // The bias key is matched before the norm layers, as set_weight_decay matches custom keys first.
        Assert.Equal(0.0, DecayOf("encoder.ln.bias"));
        Assert.Equal(0.0, DecayOf("heads.head.bias"));
        Assert.Equal(0.01, DecayOf("encoder.ln.weight"));
    }

    [Fact]
    public void Sgd_with_weight_decay_groups_decays_only_the_grouped_parameters_at_their_rate()
    {
        using var scope = NewDisposeScope();
        var fc = nn.Linear(2, 1);
        var model = nn.Sequential(("fc", fc));
        using (no_grad())
        {
            fc.weight!.copy_(tensor(new float[] { 1, 2 }).reshape(1, 2));
            fc.bias!.copy_(tensor(new float[] { 3 }));
        }
        using var masks = PruningMasks.Dense(model, PrunedLayers.ConvAndLinear);
        var schedule = new ScheduleConfig { Epochs = 1, BatchSize = 1, Momentum = 0, WeightDecay = 0.5, BiasWeightDecay = 0.0 };
        using var sgd = Trainer.CreateOptimizer(model, masks, schedule, 0.1, flatOptimizer: true);
        // A zero loss: the whole update is weight decay, w ← w − lr·wd·w.
        sgd.ZeroGrad();
        fc.weight!.sum().mul(0).add(fc.bias!.sum().mul(0)).backward();
        sgd.Step();
        AssertClose([0.95, 1.9], fc.weight!, 1e-7, "weight");
        AssertClose([3.0], fc.bias!, 0, "bias");
    }

    [Fact]
    public void Warm_up_then_cosine_and_constant_warm_up_then_step_follow_torchs_SequentialLR_per_epoch()
    {
        var cosine = new ScheduleConfig
        {
            Epochs = 12, BatchSize = 1, LrSchedule = LrScheduleKind.Cosine, LrMin = 1e-4, WarmupEpochs = 5, WarmupMethod = WarmupMethod.Linear, WarmupDecay = 0.033,
        };
        double[] torchCosine = [9.900000000000001e-05, 0.0006792, 0.0012594000000000001, 0.0018396, 0.0024198, 0.003, 0.0028564048584585077,
            0.0024540602126951637, 0.001872655354236656, 0.0012273446457633445, 0.0006459397873048366, 0.00024359514154149244];
        for (var e = 0; e < 12; e++) Assert.Equal(torchCosine[e], Trainer.LearningRate(cosine, 0.003, e, 12), 1e-12);
        var step = new ScheduleConfig
        {
            Epochs = 10, BatchSize = 1, LrSchedule = LrScheduleKind.Step, StepEpochs = 3, Gamma = 0.1, WarmupEpochs = 2, WarmupMethod = WarmupMethod.Constant, WarmupDecay = 0.1,
        };
        double[] torchStep = [0.05, 0.05, 0.5, 0.5, 0.5, 0.05, 0.05, 0.05, 0.005000000000000001, 0.005000000000000001];
        for (var e = 0; e < 10; e++) Assert.Equal(torchStep[e], Trainer.LearningRate(step, 0.5, e, 10), 1e-12);
    }

    [Fact]
    public void Without_warm_up_or_floor_the_cosine_is_the_old_formula_bit_for_bit()
    {
        var s = new ScheduleConfig { Epochs = 36, BatchSize = 32, LrSchedule = LrScheduleKind.Cosine };
        for (var e = 0; e < 36; e++)
            Assert.Equal(BitConverter.DoubleToInt64Bits(0.5 * 0.05 * (1 + Math.Cos(Math.PI * e / 36))), BitConverter.DoubleToInt64Bits(Trainer.LearningRate(s, 0.05, e, 36)));
    }

    [Fact]
    public void Label_smoothing_with_class_indices_and_with_mixed_targets_equals_torchs_cross_entropy()
    {
        using var scope = NewDisposeScope();
        var logits = Ramp(20, -1.2, 0.17, 4, 5).sin().mul(3);
        var labels = tensor(new long[] { 0, 3, 4, 1 });
        var oneHot = Regularisation.OneHot(labels, 5, ScalarType.Float32);
        Assert.Equal(1.5856719017028809, Regularisation.SoftCrossEntropy(logits, oneHot, 0.11).item<float>(), 1e-6);
        Assert.Equal(1.869551658630371, Regularisation.SoftCrossEntropy(logits, Regularisation.MixedTargets(labels, 5, 0.3, ScalarType.Float32), 0.11).item<float>(), 1e-6);
        // No smoothing, one-hot targets: the plain cross-entropy the SGD path uses.
        Assert.Equal(nn.functional.cross_entropy(logits, labels).item<float>(), Regularisation.SoftCrossEntropy(logits, oneHot, 0).item<float>(), 1e-6);
    }

    [Fact]
    public void Mixup_blends_each_image_and_target_with_the_previous_one()
    {
        using var scope = NewDisposeScope();
        var images = Ramp(24, 0, 1, 3, 2, 2, 2);
        var mixed = Regularisation.MixupImages(images, 0.25);
        // Image 0 is mixed with the last (roll by one), image 1 with image 0.
        AssertClose(images[0].mul(0.25).add(images[2].mul(0.75)).data<float>().Select(v => (double)v).ToArray(), mixed[0], 1e-6, "image 0");
        AssertClose(images[1].mul(0.25).add(images[0].mul(0.75)).data<float>().Select(v => (double)v).ToArray(), mixed[1], 1e-6, "image 1");
        var targets = Regularisation.MixedTargets(tensor(new long[] { 2, 0, 1 }), 3, 0.25, ScalarType.Float32);
        AssertClose([0, 0.75, 0.25, 0.25, 0, 0.75, 0.75, 0.25, 0], targets, 1e-7, "targets");
        AssertClose([1, 1, 1], targets.sum(1), 1e-7, "target sums");
    }

    [Fact]
    public void Cutmix_pastes_the_previous_images_box_and_weighs_targets_by_the_area_kept()
    {
        using var scope = NewDisposeScope();
        // λ = 0.75: half-sides ⌊0.25·8⌋ = 2; centre (1, 6) clipped to x 0..3, y 4..8: 12 of 64 pixels replaced.
        Assert.Equal((0, 4, 3, 8), Regularisation.CutmixBox(0.75, 1, 6, 8, 8));
        var images = cat([zeros(1, 1, 8, 8), ones(1, 1, 8, 8)]);
        var (mixed, lambda) = Regularisation.CutmixImages(images, 0.75, 1, 6);
        Assert.Equal(1 - 12 / 64.0, lambda, 1e-12);
        Assert.Equal(12, mixed[0].sum().item<float>());
        Assert.Equal(1, mixed[0, 0, 5, 1].item<float>());
        Assert.Equal(0, mixed[0, 0, 3, 1].item<float>());
        Assert.Equal(64 - 12, mixed[1].sum().item<float>());
    }

    [Fact]
    public void Mixup_or_cutmix_picks_one_of_the_two_per_batch_about_equally_often_and_beta_draws_have_the_right_mean()
    {
        using var scope = NewDisposeScope();
        var rng = new Random(3);
        var images = rand(2, 1, 8, 8);
        int mixups = 0, batches = 400;
        for (var i = 0; i < batches; i++)
        {
            var (mixed, _) = Regularisation.MixupOrCutmix(images, 0.2, 1.0, rng)!.Value;
            // Cutmix leaves each pixel one image's; mixup blends (almost) every pixel.
            var fromOne = mixed.eq(images).logical_or(mixed.eq(images.roll(1, 0))).all().ToBoolean();
            if (!fromOne) mixups++;
        }
        Assert.InRange(mixups, 160, 240);
        Assert.Null(Regularisation.MixupOrCutmix(images, 0, 0, rng));
        // Beta(α, α) has mean ½ and variance 1 / (4(2α + 1)).
        var draws = Enumerable.Range(0, 20000).Select(_ => Regularisation.SampleBeta(rng, 0.2)).ToArray();
        Assert.InRange(draws.Average(), 0.48, 0.52);
        Assert.InRange(draws.Select(d => (d - 0.5) * (d - 0.5)).Average(), 0.1786 * 0.95, 0.1786 * 1.05);
    }

    [Fact]
    public void Gradient_clipping_scales_all_gradients_as_torchs_clip_grad_norm()
    {
        using var scope = NewDisposeScope();
        var a = new Parameter(zeros(2, 3));
        var b = new Parameter(zeros(4));
        a.grad = Ramp(6, 0.5, -0.3, 2, 3);
        b.grad = Ramp(4, 1.5, 0.25, 4);
        var total = Regularisation.ClipGradNorm([a, b], 1.0);
        Assert.Equal(4.0404205322265625, total.item<float>(), 1e-5);
        AssertClose([0.12374946475028992, 0.049499787390232086, -0.024749893695116043, -0.09899957478046417, -0.1732492446899414, -0.24749892950057983], a.grad!, 1e-7, "a");
        AssertClose([0.37124839425086975, 0.4331231117248535, 0.49499785900115967, 0.5568726062774658], b.grad!, 1e-7, "b");
        // Below the limit nothing changes.
        Regularisation.ClipGradNorm([a, b], 10.0);
        AssertClose([0.37124839425086975, 0.4331231117248535, 0.49499785900115967, 0.5568726062774658], b.grad!, 1e-7, "b unclipped");
    }

    [Fact]
    public void The_moving_average_matches_torchs_AveragedModel_over_parameters_and_buffers()
    {
        using var scope = NewDisposeScope();
        var net = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2));
        using var ema = new ModelEma(net, 0.9);
        for (var k = 0; k < 3; k++)
        {
            using (no_grad())
            {
                var i = 0;
                foreach (var t in net.parameters().Cast<Tensor>().Concat(net.buffers().Where(b => b.is_floating_point())))
                {
                    t.copy_(Ramp((int)t.numel(), 0.1 * (k + 1) + i, 0.37 * (k - 1), t.shape));
                    i++;
                }
            }
            ema.Update(net);
        }
        var copy = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2));
        ema.CopyTo(copy);
        var averaged = cat(copy.parameters().Cast<Tensor>().Concat(copy.buffers().Where(b => b.is_floating_point())).Select(t => t.flatten()).ToArray());
        AssertClose([0.1290000081062317, -0.13369999825954437, -0.39640000462532043, -0.6590999364852905, -0.9218000173568726, -1.1844998598098755,
            1.128999948501587, 0.8662999868392944, 2.128999710083008, 1.8662998676300049, 3.1289994716644287, 2.866300106048584,
            4.128999710083008, 3.866299867630005, 5.128999710083008, 4.866299629211426], averaged, 2e-6, "average");
    }

    [Fact]
    public void The_moving_average_decay_is_adjusted_for_the_steps_between_updates_and_restarts_during_warm_up()
    {
        var s = new ScheduleConfig { Epochs = 300, BatchSize = 512, ModelEmaSteps = 32, ModelEmaDecay = 0.99998 };
        // train.py: α = (1 − decay) · batch · steps / epochs = 2e-5 · 512 · 32 / 300, decay 1 − α.
        Assert.Equal(1 - 2e-5 * 512 * 32 / 300, ModelEma.AdjustedDecay(s, 300), 1e-12);
        Assert.Equal(0.0, ModelEma.AdjustedDecay(new ScheduleConfig { Epochs = 2, BatchSize = 512, ModelEmaDecay = 0.9 }, 2));
        using var scope = NewDisposeScope();
        var net = nn.Sequential(nn.Linear(1, 1, hasBias: false));
        var w = net.parameters().Single();
        using var ema = new ModelEma(net, 0.5);
        using (no_grad()) w.fill_(2);
        ema.Update(net, restart: true);
        using (no_grad()) w.fill_(4);
        ema.Update(net, restart: true);
        var copy = nn.Sequential(nn.Linear(1, 1, hasBias: false));
        ema.CopyTo(copy);
        Assert.Equal(4, copy.parameters().Single().item<float>());
        using (no_grad()) w.fill_(8);
        ema.Update(net);
        using (no_grad()) w.fill_(0);
        ema.Update(net);
        ema.CopyTo(copy);
        // After warm-up: a copy (8), then 0.5·8 + 0.5·0.
        Assert.Equal(4, copy.parameters().Single().item<float>());
    }

    [Fact]
    public void Random_erasing_zeroes_one_rectangle_per_chosen_image_within_torchvisions_area_bounds()
    {
        using var scope = NewDisposeScope();
        var rng = new Random(5);
        var images = ones(200, 3, 32, 32);
        Regularisation.RandomErase(images, 0.5, rng);
        var erased = images.eq(0).sum([1, 2, 3]).to(ScalarType.Float64).data<double>().ToArray();
        var chosen = erased.Count(e => e > 0);
        Assert.InRange(chosen, 70, 130);
        foreach (var e in erased.Where(e => e > 0))
        {
            // 3 channels × an area in [0.02, 0.33] of 1024 pixels (sides rounded).
            Assert.Equal(0, e % 3);
            Assert.InRange(e / 3, 0.02 * 1024 * 0.7, 0.33 * 1024 * 1.3);
        }
        var untouched = ones(4, 3, 32, 32);
        Regularisation.RandomErase(untouched, 0, rng);
        Assert.Equal(4 * 3 * 32 * 32, untouched.sum().item<float>());
    }
}
