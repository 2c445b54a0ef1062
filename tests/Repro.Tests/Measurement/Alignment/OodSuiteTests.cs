using Repro.Data.ModelVsHuman;
using Repro.Figures;
using Repro.Measurement.Alignment.Evaluation;
using Repro.Measurement.Alignment.Metrics;
using Repro.Tests.Data;
using static TorchSharp.torch;

namespace Repro.Tests.Measurement.Alignment;

[Trait("Category", TestCategories.Unit)]
public class OodSuiteTests
{
    [Fact]
    public void ImageNet_models_decide_by_the_mean_probability_of_each_category()
    {
        using var logits = zeros(2, SixteenClassDecision.ImageNetClasses);
        logits[0, 404] = tensor(5f);                                   // airplane
        foreach (var dog in ModelVsHumanCategories.ImageNetIndices[ModelVsHumanCategories.IndexOf("dog")]) logits[1, dog] = tensor(2f);
        logits[1, 499] = tensor(3f);                                   // knife: one class, but the highest mean probability
        Assert.Equal([ModelVsHumanCategories.IndexOf("airplane"), ModelVsHumanCategories.IndexOf("knife")],
            new ImageNetSixteenClassDecision().Decide(logits).Select(d => (int)d));
        using var ten = zeros(1, 10);
        Assert.Contains("1000", Assert.Throws<ArgumentException>(() => new ImageNetSixteenClassDecision().Decide(ten)).Message);
    }

    [Fact]
    public void Human_raw_data_makes_the_humans_the_reference()
    {
        using var dir = new TempDir();
        DataFixtures.WriteImage(dir["datasets/colour/session-1/0001_cl_dnn_bw_oven_40_n04111531_14126.png"], 8, 8);
        DataFixtures.WriteImage(dir["datasets/colour/session-1/0002_cl_dnn_bw_bear_40_n02134084_5274.png"], 8, 8);
        Directory.CreateDirectory(dir["raw-data/colour"]);
        File.WriteAllText(dir["raw-data/colour/colour_subject-01_session_1.csv"], """
            subj,Session,trial,rt,object_response,category,condition,imagename
            subject-01,1,1,0.8,oven,oven,bw,0001_cl_s01_bw_oven_40_n04111531_14126.png
            subject-01,1,2,NaN,na,bear,bw,0002_cl_s01_bw_bear_40_n02134084_5274.png
            """);

        var suite = OodSuite.Open(dir["datasets"], dir["raw-data"], ["colour"], ModelVsHumanCategories.Names, null, null);
        Assert.Equal(ReferenceKind.Human, suite.Reference);
        var human = Assert.Single(suite.Datasets[0].Humans);
        Assert.Equal(["oven", "na"], human.Decisions.Select(d => d.Response));

        // a model right on both images: one trial agrees in correctness (oven), one does not (the unanswered bear)
        var decisions = suite.Datasets[0].Images.Select(i => new Decision(i.ImageId, i.Condition, i.Category, i.Category)).ToList();
        var it = new IterationDecisions(1, 20, [new DatasetDecisions("colour", decisions)]);
        var observed = AlignmentRecipe.Versus(new ObservedConsistency(), suite, it, it, "resnet18");
        Assert.Equal(ReferenceKind.Human, observed.Reference);
        Assert.Equal(0.5, observed.Value, 12);
        Assert.Equal("observed_consistency_vs_human", AlignmentRecipe.VersusMetric("observed_consistency", suite.Reference));

        // without the raw data the same images are compared with the dense model
        var dense = OodSuite.Open(dir["datasets"], dir["no-raw-data"], ["colour"], ModelVsHumanCategories.Names, null, null);
        Assert.Equal(ReferenceKind.DenseModel, dense.Reference);
        Assert.Equal("error_consistency_vs_dense", AlignmentRecipe.VersusMetric("error_consistency", dense.Reference));
    }
}
