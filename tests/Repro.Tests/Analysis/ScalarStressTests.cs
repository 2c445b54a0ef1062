using Repro.Config;
using Repro.Data;
using Repro.Models;
using Repro.Pruning;
using Repro.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Repro.Tests.Analysis;

/// <summary>
/// The harness's training step (ResNet forward with BatchNorm and residual adds, masked SGD) on one thread
/// and the image transforms on another, while a third thread collects and runs finalizers without pause:
/// a Scalar that the code let go of would be freed mid-call ("Unknown scalar type", or a wrong value).
/// Long (minutes), so excluded from the default test run; .ci/run runs it as its own step.
/// </summary>
[Trait("Category", TestCategories.Stress)]
public class ScalarStressTests(ITestOutputHelper output)
{
    const long RequiredOperations = 1_000_000;

    [Fact]
    public void Training_steps_and_transforms_under_constant_collection_never_fail()
    {
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        })
        { IsBackground = true };

        var image = new RgbImage(12, 10, Enumerable.Range(0, 12 * 10 * 3).Select(i => (byte)(i * 37)).ToArray());
        var expected = Values(ImageTransforms.Eval(image, 10, 8));
        long transformOps = 0, transformErrors = 0;
        var transforms = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    // ToTensor's div_ is this path's Scalar use: one per image.
                    if (!Values(ImageTransforms.Eval(image, 10, 8)).SequenceEqual(expected)) Interlocked.Increment(ref transformErrors);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref transformErrors);
                }
                Interlocked.Increment(ref transformOps);
            }
        })
        { IsBackground = true };

        manual_seed(5);
        var model = ModelZoo.Create(new ModelConfig { Architecture = "resnet18", Width = 0.125 }, 3, 16);
        var masks = OneShotMagnitudePruning.Prune(model, PrunedLayers.ConvAndLinear, 0.5);
        using var optimizer = IMaskedSgd.Create(model, masks, 0.01, 0.9, 1e-4, flat: false);
        model.train();
        using var x = randn(2, 3, 16, 16);
        using var y = tensor(new long[] { 0, 2 });
        // Scalar uses per step: one per BatchNorm (its step count), one per residual add, and the optimizer's
        // weight decay, momentum (after the first step), momentum add and update for every parameter.
        var batchNorms = model.modules().Count(m => m is CachedScalarBatchNorm2d);
        var residualAdds = model.modules().Count(m => m.GetType().Name is "BasicBlock" or "Bottleneck");
        var parameters = model.parameters().Count();
        long trainingOps = 0, trainingErrors = 0, steps = 0;

        collector.Start();
        transforms.Start();
        while (trainingOps + Interlocked.Read(ref transformOps) < RequiredOperations)
        {
            try
            {
                using var scope = NewDisposeScope();
                var loss = nn.functional.cross_entropy(model.call(x), y);
                optimizer.ZeroGrad();
                loss.backward();
                optimizer.Step();
                if (!double.IsFinite(loss.item<float>())) trainingErrors++;
            }
            catch (Exception)
            {
                trainingErrors++;
            }
            trainingOps += batchNorms + residualAdds + parameters * (steps == 0 ? 3 : 4);
            steps++;
        }
        stop.Cancel();
        transforms.Join();
        collector.Join();

        output.WriteLine($"{trainingOps + transformOps:N0} Scalar operations: {trainingOps:N0} in {steps:N0} training steps " +
                         $"({trainingErrors} errors), {transformOps:N0} transforms ({transformErrors} errors)");
        Assert.Equal(0, trainingErrors + transformErrors);
        Assert.InRange(masks.MeasuredSparsity(), 0.499, 0.501);
    }

    static float[] Values(Tensor t)
    {
        using (t) return t.data<float>().ToArray();
    }
}
