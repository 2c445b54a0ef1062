using Repro.Config;
using Repro.Figures;

namespace Repro.Tests.Config;

[Trait("Category", TestCategories.Unit)]
public class RecipeProfileTests
{
    static string Smoke => File.ReadAllText(Path.Combine(TestSupport.RepoRoot, "profiles", "smoke.yaml"));

    /// <summary>smoke with its resnet18 given the agreed per-model recipe (every key, as the schema writes it) and a second model on the top-level schedule.</summary>
    static string WithRecipe(string recipe = Recipe) => Smoke.Replace("models:\n  - architecture: resnet18\n    width: 0.25\n",
        "models:\n  - architecture: resnet18\n    width: 0.25\n    schedule:\n" + recipe + "  - architecture: resnet18\n    width: 0.5\n");

    const string Recipe = """
              epochs: 30
              batch_size: 16
              optimizer: adamw
              lr: 0.003
              momentum: 0.9
              weight_decay: 0.3
              norm_weight_decay: 0.0
              bias_weight_decay:
              transformer_embedding_decay:
              lr_schedule: cosine
              lr_min: 0.0
              warmup_epochs: 1
              warmup_method: linear
              warmup_decay: 0.033
              label_smoothing: 0.11
              mixup_alpha: 0.2
              cutmix_alpha: 1.0
              clip_grad_norm: 1.0
              auto_augment: imagenet
              random_erase: 0.0
              ra_sampler: false
              ra_reps: 3
              model_ema: true
              model_ema_steps: 32
              model_ema_decay: 0.99998
              amp: false
              interpolation: bilinear

        """;

    [Fact]
    public void A_models_own_schedule_replaces_the_top_level_one_for_that_model_only()
    {
        var p = ProfileLoader.Parse(WithRecipe(), "p.yaml");
        var (own, shared) = (p.Models[0], p.Models[1]);
        var s = p.ScheduleFor(own);
        Assert.Same(p.Schedule, p.ScheduleFor(shared));
        Assert.Equal((OptimizerKind.Adamw, 0.3, 0.0, (double?)null), (s.Optimizer, s.WeightDecay, s.NormWeightDecay!.Value, s.BiasWeightDecay));
        Assert.Equal((WarmupMethod.Linear, 1, 0.033, 0.11), (s.WarmupMethod, s.WarmupEpochs, s.WarmupDecay, s.LabelSmoothing));
        Assert.Equal((0.2, 1.0, (double?)1.0, (AutoAugmentPolicy?)AutoAugmentPolicy.Imagenet), (s.MixupAlpha, s.CutmixAlpha, s.ClipGradNorm, s.AutoAugment));
        Assert.Equal((true, 32, 0.99998, ResizeInterpolation.Bilinear), (s.ModelEma, s.ModelEmaSteps, s.ModelEmaDecay, s.Interpolation));
        // Epochs and lr come from the model's schedule; the top level's dense_epochs and retrain_lr do not reach it.
        Assert.Equal((30, 30, 0.003, 0.003), (p.EpochsFor(own, 0), p.EpochsFor(own, 1), p.LrFor(own, 0), p.LrFor(own, 1)));
        Assert.Equal((p.Schedule.DenseEpochs!.Value, p.Schedule.Epochs, p.Schedule.RetrainLr!.Value), (p.EpochsFor(shared, 0), p.EpochsFor(shared, 1), p.LrFor(shared, 1)));
        // The model keys epochs and lr still override on top.
        own.Epochs = 5;
        own.Lr = 0.01;
        Assert.Equal((5, 0.01), (p.EpochsFor(own), p.LrFor(own)));
        var yaml = ProfileLoader.Write(p);
        Assert.Equal(yaml, ProfileLoader.Write(ProfileLoader.Parse(yaml, "written back")));
    }

    [Fact]
    public void Recipe_keys_default_to_torchvisions_train_py_defaults()
    {
        var s = ProfileLoader.Parse(Smoke, "p.yaml").Schedule;
        Assert.Equal((OptimizerKind.Sgd, 0.0, 0, WarmupMethod.Constant, 0.01), (s.Optimizer, s.LrMin, s.WarmupEpochs, s.WarmupMethod, s.WarmupDecay));
        Assert.Equal((0.0, 0.0, 0.0, (double?)null, (AutoAugmentPolicy?)null, 0.0), (s.LabelSmoothing, s.MixupAlpha, s.CutmixAlpha, s.ClipGradNorm, s.AutoAugment, s.RandomErase));
        Assert.Equal((false, 3, false, 32, 0.99998, false), (s.RaSampler, s.RaReps, s.ModelEma, s.ModelEmaSteps, s.ModelEmaDecay, s.Amp));
        Assert.Null(s.NormWeightDecay ?? s.BiasWeightDecay ?? s.TransformerEmbeddingDecay);
    }

    [Theory]
    [InlineData("optimizer: adamw", "optimizer: adam", "'models[0].schedule.optimizer' is 'adam'; allowed values: sgd, adamw")]
    [InlineData("auto_augment: imagenet", "auto_augment: trivial", "allowed values: imagenet, ra, ta_wide, augmix")]
    [InlineData("mixup_alpha: 0.2", "mixup: 0.2", "unknown key 'models[0].schedule.mixup'")]
    [InlineData("warmup_epochs: 1", "warmup_epochs: 30", "'models[0].schedule.warmup_epochs' is 30, but resnet18 trains runs of 30 epochs")]
    [InlineData("label_smoothing: 0.11", "label_smoothing: 1.5", "'models[0].schedule.label_smoothing' is 1.5; must be in [0, 1)")]
    [InlineData("clip_grad_norm: 1.0", "clip_grad_norm: 0", "'models[0].schedule.clip_grad_norm' is 0")]
    [InlineData("model_ema_decay: 0.99998", "model_ema_decay: 1.5", "'models[0].schedule.model_ema_decay' is 1.5; must be in (0, 1)")]
    [InlineData("warmup_decay: 0.033", "warmup_decay: 0", "'models[0].schedule.warmup_decay' is 0")]
    [InlineData("lr_min: 0.0", "lr_min: 0.01", "'models[0].schedule.lr_min' is 0.01; the cosine schedule's floor must be >= 0 and below lr (0.003)")]
    [InlineData("batch_size: 16", "batch_size: 0", "'models[0].schedule.batch_size' is 0")]
    public void A_bad_recipe_key_is_refused_naming_the_models_key(string from, string to, string message)
    {
        var text = WithRecipe(Recipe.Replace(from, to));
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Parse(text, "p.yaml"));
        Assert.Contains(message, e.Message);
        Assert.StartsWith("p.yaml", e.Message);
    }

    [Fact]
    public void A_top_level_warm_up_longer_than_the_retraining_is_refused()
    {
        var text = Smoke.Replace("  lr_schedule: cosine\n", "  lr_schedule: cosine\n  warmup_epochs: 2\n");
        var e = Assert.Throws<ConfigException>(() => ProfileLoader.Parse(text, "p.yaml"));
        Assert.Contains("'schedule.warmup_epochs' is 2, but resnet18 trains runs of 2 epochs", e.Message);
    }

    [Fact]
    public void Recipe_keys_training_does_not_implement_are_listed_as_deviations_per_model()
    {
        var text = WithRecipe(Recipe.Replace("ra_sampler: false", "ra_sampler: true").Replace("amp: false", "amp: true")
            .Replace("interpolation: bilinear", "interpolation: bicubic"));
        var p = ProfileLoader.Parse(text, "p.yaml");
        Assert.Equal(
        [
            "schedule.auto_augment imagenet (resnet18): not implemented, trained without it",
            "schedule.amp true (resnet18): not implemented, trained in float32 (TorchSharp 0.107 has no autocast)",
            "schedule.interpolation bicubic (resnet18): not implemented, images resized bilinearly",
        ], Deviations.RecipeNotImplemented(p));
        // In what the report lists, for profiles compared with the paper's and for the paper's own.
        var paper = ProfileLoader.Load(TestSupport.RepoRoot, "paper");
        Assert.Contains("schedule.amp true (resnet18): not implemented, trained in float32 (TorchSharp 0.107 has no autocast)", Deviations.Describe(p, paper));
        Assert.Contains("schedule.amp true (resnet18): not implemented, trained in float32 (TorchSharp 0.107 has no autocast)", Deviations.Describe(p, null));
        foreach (var name in new[] { "smoke", "ci" })
            Assert.Empty(Deviations.RecipeNotImplemented(ProfileLoader.Load(TestSupport.RepoRoot, name)));
    }
}
