using Repro.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Repro.Tests.Models;

[Trait("Category", TestCategories.Unit)]
public class CachedScalarBatchNorm2dTests
{
    [Fact]
    public void Matches_TorchSharps_BatchNorm2d_bit_for_bit()
    {
        using var reference = nn.BatchNorm2d(6);
        using var cached = new CachedScalarBatchNorm2d(6);
        Assert.Equal(reference.state_dict().Keys, cached.state_dict().Keys);
        manual_seed(3);
        foreach (var training in new[] { true, true, true, false })
        {
            reference.train(training);
            cached.train(training);
            using var x = randn(4, 6, 5, 5);
            using var expected = reference.call(x);
            using var actual = cached.call(x);
            Assert.True(expected.eq(actual).all().ToBoolean(), $"output differs (training: {training})");
        }
        foreach (var (name, value) in reference.state_dict())
            Assert.True(value.eq(cached.state_dict()[name]).all().ToBoolean(), $"{name} differs");
        Assert.Equal(3L, cached.state_dict()["num_batches_tracked"].item<long>());
    }
}
