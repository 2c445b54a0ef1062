using Repro.Config;
using Repro.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Tests.Training;

[Trait("Category", TestCategories.Integration)]
public class RecipeTrainingTests
{
    [Fact]
    public void A_trajectory_trained_with_the_whole_recipe_keeps_pruned_weights_zero_and_records_the_averages_top1()
    {
        using var tmp = new TempDir();
        var p = TestSupport.TinyProfile(iterations: 1);
        var model = p.Models[0];
        model.Schedule = new ScheduleConfig
        {
            Epochs = 2, BatchSize = 8, Lr = 0.003, Optimizer = OptimizerKind.Adamw, WeightDecay = 0.3, NormWeightDecay = 0, BiasWeightDecay = 0,
            LrSchedule = LrScheduleKind.Cosine, WarmupEpochs = 1, WarmupMethod = WarmupMethod.Linear, WarmupDecay = 0.033, LabelSmoothing = 0.11,
            MixupAlpha = 0.2, CutmixAlpha = 1.0, ClipGradNorm = 1.0, RandomErase = 0.25, RaSampler = true, ModelEma = true, ModelEmaSteps = 1, ModelEmaDecay = 0.9,
        };
        var log = new List<string>();
        var context = TestSupport.Context(p, tmp.Path, log);
        var trajectory = new Trajectory(context, model);
        var plain = new Trajectory(TestSupport.Context(TestSupport.TinyProfile(iterations: 1), Path.Combine(tmp.Path, "plain")), TestSupport.TinyProfile(iterations: 1).Models[0]);
        Assert.NotEqual(Path.GetFileName(plain.Store.Directory), Path.GetFileName(trajectory.Store.Directory));

        var metrics = trajectory.Ensure();

        Assert.All(metrics, m => Assert.InRange(m.EmaTop1!.Value, 0, 1));
        Assert.All(metrics, m => Assert.True(double.IsFinite(m.TrainLoss) && m.TrainLoss > 0));
        Assert.Contains(log, l => l.Contains("weights' moving average"));
        // The first epoch is warm-up: lr 0.033 × 0.003.
        Assert.Contains(log, l => l.Contains("epoch 1/2  lr 9.9E-05"));
        var (net, masks) = trajectory.Load(1);
        Assert.InRange(masks.MeasuredSparsity(), 0.19, 0.21);
        foreach (var (name, weight) in masks.Weights)
            Assert.True(weight.mul(masks.Masks[name].logical_not()).eq(0).all().ToBoolean(), $"{name}: a pruned weight is not zero");
        net.Dispose();
        masks.Dispose();
    }

    [Fact]
    public void The_repeated_augmentation_sampler_repeats_each_shuffled_image_in_a_row_and_augments_each_repeat_anew()
    {
        using var tmp = new TempDir();
        var p = TestSupport.TinyProfile();
        var loader = TestSupport.Context(p, tmp.Path).Data.TrainLoader(p);
        var plain = loader.Batches(5).Select(b => { using (b) return (b.Labels.data<long>().ToArray(), b.Images.clone()); }).ToList();
        var repeated = loader.Batches(5, repetitions: 3).Select(b => { using (b) return (b.Labels.data<long>().ToArray(), b.Images.clone()); }).ToList();
        // Under 256 images the epoch keeps the split's size: a third of the images, three times each.
        Assert.Equal(loader.Count, repeated.Sum(b => b.Item1.Length));
        var images = cat(repeated.Select(b => b.Item2).ToArray());
        var labels = repeated.SelectMany(b => b.Item1).ToArray();
        for (var i = 0; i + 2 < labels.Length; i += 3)
        {
            Assert.Equal(labels[i], labels[i + 1]);
            Assert.Equal(labels[i], labels[i + 2]);
            Assert.False(images[i].eq(images[i + 1]).all().ToBoolean(), $"repeats {i} and {i + 1} got the same augmentation");
        }
        // Without repetitions the loader is what it was: every image once.
        Assert.Equal(loader.Count, plain.Sum(b => b.Item1.Length));
        Assert.Equal(loader.Labels.Order(), plain.SelectMany(b => b.Item1).Order());
    }

    [Fact]
    public void With_every_recipe_key_at_its_default_training_is_the_plain_sgd_loop_bit_for_bit()
    {
        using var tmp = new TempDir();
        var p = TestSupport.TinyProfile();
        p.Schedule.Epochs = 2;
        var context = TestSupport.Context(p, tmp.Path);
        var loader = context.Data.TrainLoader(p);
        var model = p.Models[0];

        List<Tensor> Weights(nn.Module<Tensor, Tensor> net) => net.state_dict().Values.Select(t => t.detach().clone()).ToList();
        nn.Module<Tensor, Tensor> Fresh()
        {
            manual_seed(3);
            return Repro.Models.ModelZoo.Create(model, context.Data.NumClasses, p.Data.ImageSize);
        }

        using var recipe = Fresh();
        using (var masks = Repro.Pruning.PruningMasks.Dense(recipe, p.Pruning.Layers))
            Trainer.Train(recipe, masks, loader, p.Schedule, 0.05, 2, CPU, 11, _ => { }, "recipe");

        // The loop as it was before the recipe keys: cross-entropy on class indices, masked SGD, the cosine per epoch.
        using var reference = Fresh();
        using (var masks = Repro.Pruning.PruningMasks.Dense(reference, p.Pruning.Layers))
        using (var sgd = IMaskedSgd.Create(reference, masks, 0.05, p.Schedule.Momentum, p.Schedule.WeightDecay, false))
        {
            reference.train();
            for (var epoch = 0; epoch < 2; epoch++)
            {
                sgd.LearningRate = 0.5 * 0.05 * (1 + Math.Cos(Math.PI * epoch / 2));
                foreach (var batch in loader.Batches(Seeds.Derive(11, epoch), p.Schedule.TrainImagesPerEpoch))
                {
                    using var b = batch;
                    using var scope = NewDisposeScope();
                    var loss = nn.functional.cross_entropy(reference.call(b.Images), b.Labels);
                    sgd.ZeroGrad();
                    loss.backward();
                    sgd.Step();
                }
            }
        }
        var (got, expected) = (Weights(recipe), Weights(reference));
        for (var i = 0; i < got.Count; i++)
            Assert.True(got[i].eq(expected[i]).all().ToBoolean(), $"state tensor {i} differs");
    }
}
