using Repro.Config;
using Repro.Data;
using Repro.Measurement.Discovery;

namespace Repro.Tests.Measurement.Discovery;

[Trait("Category", TestCategories.Unit)]
public sealed class DiscoveryPredictionsFileTests : IDisposable
{
    readonly TempDir _tmp = new();
    readonly string _dir;

    // A folder that does not exist yet, as a run's report folder before its first write.
    public DiscoveryPredictionsFileTests() => _dir = _tmp["discovery"];

    public void Dispose() => _tmp.Dispose();

    static List<ImagePrediction> Rows()
    {
        var evaluation = new CorLocEvaluation(new CorLocOptions());
        return
        [
            evaluation.Score("2008_000123", 500, 375, [new PixelBox(47, 239, 195, 371)],
                DiscoveryOutcome.Found(new PixelBox(32, 224, 192, 375), seedRow: 8, seedCol: 2)),
            evaluation.Score("000042", 333, 500, [new PixelBox(0, 0, 10, 10)],
                DiscoveryOutcome.Problem(DiscoveryIssue.NonFiniteFeatures, "the 16x11 feature map holds NaN or infinite values")),
            evaluation.Score("tiny, odd: id", 20, 20, [], DiscoveryOutcome.Problem(DiscoveryIssue.ImageSmallerThanStride, "image 20x20 is smaller than one 32px feature stride")),
        ];
    }

    [Fact]
    public void Round_trips_every_field()
    {
        var rows = Rows();
        var file = new DiscoveryPredictionsFile
        {
            Method = "lost", Dataset = "VOC2012 trainval", Model = "resnet50", Iteration = 3, Sparsity = 48.8,
            Features = "ResNet layer4, stride 32", Summary = CorLocSummary.Of(rows), Images = rows,
        };
        var path = DiscoveryPredictionsFile.PathFor(_dir, 3);

        file.Save(path);
        var back = DiscoveryPredictionsFile.Load(path);

        Assert.Equal(Path.Combine(_dir, "iter-03.yaml"), path);
        Assert.Equal(["iter-03.yaml"], Directory.GetFiles(_dir).Select(Path.GetFileName));
        Assert.Equal((3, 48.8, "resnet50"), (back.Iteration, back.Sparsity, back.Model));
        Assert.Equal((2, 1, 0.5), (back.Summary.Images, back.Summary.Hits, back.Summary.CorLoc));
        Assert.Equal(file.Summary.MeanIou, back.Summary.MeanIou);
        Assert.Equal(file.Summary.Skipped, back.Summary.Skipped);
        Assert.Equal(3, back.Images.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var (a, b) = (rows[i], back.Images[i]);
            Assert.Equal((a.Id, a.Width, a.Height, a.Status, a.Issue, a.Detail), (b.Id, b.Width, b.Height, b.Status, b.Issue, b.Detail));
            Assert.Equal((a.Box, a.SeedRow, a.SeedCol, a.BestIou, a.Hit), (b.Box, b.SeedRow, b.SeedCol, b.BestIou, b.Hit));
        }
    }

    [Fact]
    public void A_damaged_file_is_reported_with_its_name()
    {
        Directory.CreateDirectory(_dir);
        var path = DiscoveryPredictionsFile.PathFor(_dir, 0);
        File.WriteAllText(path, "method: lost\ndataset: VOC\nsummary: {images: 1}\nimages:\n  - id: a\n    best_iuo: 0.5\n");

        var e = Assert.Throws<ConfigException>(() => DiscoveryPredictionsFile.Load(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("best_iuo", e.Message);
    }
}
