using Repro.Measurement.Attribution;
using TorchSharp;
using TorchSharp.Modules;
using static Repro.Tests.Measurement.TorchTestSupport;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Repro.Tests.Measurement;

[Collection(SerialTorch.Name)]
[Trait("Category", TestCategories.Unit)]
public class SmoothGradTests
{
    sealed class RecordingAttribution : IAttribution
    {
        public List<Tensor?> Targets { get; } = [];

        public Tensor Attribute(Tensor input, Tensor? target = null)
        {
            Targets.Add(target?.clone().DetachFromDisposeScope());
            return input.clone();
        }
    }

    [Fact]
    public void Averages_the_wrapped_method_over_seeded_noisy_copies_of_the_clean_top_one_class()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var fc = Linear(3 * 4 * 5, 3);
        var model = Sequential(("flatten", Flatten()), ("fc", fc));
        model.to(ScalarType.Float64);
        model.eval();
        var x = Images(2, 4, 5, dtype: ScalarType.Float64);
        using var smooth = new SmoothGrad(new IntegratedGradients(model, steps: 3), samples: 3, noiseStd: 0.5, seed: 11);

        var attributions = smooth.Attribute(x);

        // IG on a linear model is exactly input × weight row, so the mean over copies is (x + mean ε) × W_c,
        // with ε the generator's first draw and c the clean image's top-1 class.
        using var generator = new Generator(11, CPU);
        var noise = randn([3, 2, 3, 4, 5], dtype: ScalarType.Float64, generator: generator) * 0.5;
        var classes = ExplainedClass.TopOne(model, x);
        var expected = (x + noise.mean([0])) * fc.weight!.index_select(0, classes).view(2, 3, 4, 5);
        AllClose(expected, attributions, 1e-12);
    }

    [Fact]
    public void The_same_seed_gives_the_same_noise_and_another_seed_does_not()
    {
        using var scope = NewDisposeScope();
        var x = Images(2, 8, 8);
        using var first = new SmoothGrad(new RecordingAttribution(), seed: 5);
        using var same = new SmoothGrad(new RecordingAttribution(), seed: 5);
        using var other = new SmoothGrad(new RecordingAttribution(), seed: 6);
        var a = first.Attribute(x);
        AllClose(a, same.Attribute(x), 0);
        Assert.NotEqual(Values(a), Values(other.Attribute(x)));
        // Successive calls draw fresh noise.
        Assert.NotEqual(Values(a), Values(first.Attribute(x)));
    }

    [Fact]
    public void Passes_the_batch_of_copies_once_and_the_target_through()
    {
        using var scope = NewDisposeScope();
        var x = Images(2, 8, 8);
        var recorder = new RecordingAttribution();
        using var noiseless = new SmoothGrad(recorder, samples: 4, noiseStd: 0);

        AllClose(x, noiseless.Attribute(x), 0);
        noiseless.Attribute(x, tensor(new long[] { 3, 5 }));

        Assert.Equal(2, recorder.Targets.Count);
        Assert.Null(recorder.Targets[0]);
        Assert.Equal([3L, 5, 3, 5, 3, 5, 3, 5], recorder.Targets[1]!.data<long>().ToArray());
    }
}
