using Repro.Data;
using Repro.Data.ModelVsHuman;

namespace Repro.Tests.Data;

[Trait("Category", TestCategories.Unit)]
public class ModelVsHumanTests
{
    [Fact]
    public void Sixteen_categories_map_to_disjoint_ImageNet_classes()
    {
        Assert.Equal(["airplane", "bear", "bicycle", "bird", "boat", "bottle", "car", "cat", "chair", "clock", "dog",
            "elephant", "keyboard", "knife", "oven", "truck"], ModelVsHumanCategories.Names);
        var all = ModelVsHumanCategories.ImageNetIndices.SelectMany(i => i).ToList();
        Assert.All(all, i => Assert.InRange(i, 0, 999));
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal([404], ModelVsHumanCategories.ImageNetIndices[0]);
        Assert.Equal([499], ModelVsHumanCategories.ImageNetIndices[ModelVsHumanCategories.IndexOf("knife")]);
        Assert.Equal([294, 295, 296, 297], ModelVsHumanCategories.ImageNetIndices[1]);
        Assert.Equal(109, ModelVsHumanCategories.ImageNetIndices[ModelVsHumanCategories.IndexOf("dog")].Length);
    }

    static double[] Probabilities(params (int Index, double P)[] mass)
    {
        var rest = 1 - mass.Sum(m => m.P);
        var p = Enumerable.Repeat(rest / (1000 - mass.Length), 1000).ToArray();
        foreach (var (i, v) in mass) p[i] = v;
        return p;
    }

    [Fact]
    public void Decision_is_the_category_with_the_highest_mean_probability()
    {
        // 0.6 on one dog class averages to 0.6/109 over the dog classes; 0.1 on the single airplane class wins.
        var p = Probabilities((152, 0.6), (404, 0.1));
        Assert.Equal(ModelVsHumanCategories.IndexOf("airplane"), SixteenClassDecision.Decide(p));
        var scores = SixteenClassDecision.CategoryScores(p);
        Assert.Equal((0.6 + 108 * p[0]) / 109, scores[ModelVsHumanCategories.IndexOf("dog")], 12);
        Assert.Equal(ModelVsHumanCategories.IndexOf("knife"), SixteenClassDecision.Decide(Probabilities((499, 0.3), (404, 0.2))));
    }

    [Fact]
    public void Decision_from_logits_applies_softmax_first()
    {
        var logits = new float[1000];
        logits[766] = 5f; // oven
        logits[294] = 5.5f; // one bear class of four
        var softmax = SixteenClassDecision.Softmax(logits);
        Assert.Equal(1.0, softmax.Sum(), 9);
        Assert.Equal(ModelVsHumanCategories.IndexOf("oven"), SixteenClassDecision.DecideFromLogits(logits));
        Assert.Throws<ArgumentException>(() => SixteenClassDecision.Decide(new double[10]));
    }

    [Theory]
    [InlineData("0001_cl_s01_cr_oven_40_n04111531_14126.png", "n04111531_14126.png")]
    [InlineData("0001_cl_dnn_cr_oven_40_n04111531_14126.png", "n04111531_14126.png")]
    [InlineData("0001_ske_s01_0_boat_00_boat-0068-sketch-23.png", "boat-0068-sketch-23.png")]
    [InlineData("0001_s5n_dnn_0_airplane_00_airplane1-bicycle2.png", "airplane1-bicycle2.png")]
    [InlineData("airplane1-bicycle2.png", "airplane1-bicycle2.png")]
    [InlineData("0000_cl_s01_bw_boat_40_n02951358_5952.JPEG", "n02951358_5952.JPEG")]
    public void Image_id_drops_the_per_trial_prefix(string name, string id) => Assert.Equal(id, ModelVsHumanImageName.ImageId(name));

    [Fact]
    public void Session_names_give_condition_and_category()
    {
        Assert.Equal(("cr", "oven"), ModelVsHumanImageName.ParseSessionName("0001_cl_dnn_cr_oven_40_n04111531_14126.png"));
        Assert.Equal(("1-10-10", "cat"), ModelVsHumanImageName.ParseSessionName("0042_eid_dnn_1-10-10_cat_10_n02123045_1.png"));
        Assert.Null(ModelVsHumanImageName.ParseSessionName("airplane1.png"));
        Assert.Equal(("airplane", "bicycle"), ModelVsHumanImageName.ParseCueConflictName("airplane10-bicycle2.png"));
    }

    [Fact]
    public void Seventeen_datasets()
    {
        Assert.Equal(17, ModelVsHumanDatasets.All.Count);
        Assert.Equal(12, ModelVsHumanDatasets.All.Count(d => d.Parametric));
        Assert.Equal(["edge", "silhouette", "cue-conflict"],
            ModelVsHumanDatasets.All.Where(d => d.Layout == ModelVsHumanLayout.CategoryFolders).Select(d => d.Name));
        Assert.Equal(["cr", "bw"], ModelVsHumanDatasets.Get("colour").Conditions);
        Assert.Contains("17 datasets", Assert.Throws<ArgumentException>(() => ModelVsHumanDatasets.Get("noise")).Message);
    }

    [Fact]
    public void Session_dataset_is_read_in_image_folder_order()
    {
        using var dir = new TempDir();
        DataFixtures.WriteImage(dir["datasets/colour/session-1/0002_cl_dnn_bw_bear_40_n02134084_5274.png"], 8, 8);
        DataFixtures.WriteImage(dir["datasets/colour/session-1/0001_cl_dnn_cr_oven_40_n04111531_14126.png"], 8, 8);
        File.WriteAllText(dir["datasets/colour/session-1/Thumbs.db"], "x");
        var colour = ModelVsHumanDataset.Open(dir["datasets"], "colour");
        Assert.Equal(
            [
                new ModelVsHumanImage(dir["datasets/colour/session-1/0001_cl_dnn_cr_oven_40_n04111531_14126.png"], "colour", "session-1",
                    "n04111531_14126.png", "cr", "oven", ModelVsHumanCategories.IndexOf("oven"), null),
                new ModelVsHumanImage(dir["datasets/colour/session-1/0002_cl_dnn_bw_bear_40_n02134084_5274.png"], "colour", "session-1",
                    "n02134084_5274.png", "bw", "bear", 1, null),
            ], colour.Images);
        Assert.Contains("1 files ignored (not images, or not inside a sub-folder)", colour.Report.Notes);
    }

    [Fact]
    public void Cue_conflict_reads_shape_from_folder_and_texture_from_name()
    {
        using var dir = new TempDir();
        DataFixtures.WriteImage(dir["datasets/cue-conflict/airplane/airplane1-bicycle2.png"], 8, 8);
        DataFixtures.WriteImage(dir["datasets/cue-conflict/bear/bear3-bear1.png"], 8, 8);
        var cue = ModelVsHumanDataset.Open(dir["datasets"], "cue-conflict");
        Assert.Equal([("airplane", "bicycle"), ("bear", "bear")], cue.Images.Select(i => (i.Category, i.TextureCategory!)));
        Assert.All(cue.Images, i => Assert.Equal(ModelVsHumanDatasets.SingleCondition, i.Condition));
        Assert.Equal("airplane1-bicycle2.png", cue.Images[0].ImageId);
    }

    [Fact]
    public void Bad_dataset_files_are_named_or_counted()
    {
        using var dir = new TempDir();
        var good = dir["datasets/rotation/session-1/0001_rot_dnn_90_cat_10_n02123045_1.png"];
        var badCondition = dir["datasets/rotation/session-1/0002_rot_dnn_45_cat_10_n02123045_2.png"];
        var badCategory = dir["datasets/rotation/session-1/0003_rot_dnn_0_zebra_10_n02391049_3.png"];
        var unreadable = dir["datasets/rotation/session-1/0004_rot_dnn_0_dog_10_n02085782_4.png"];
        foreach (var f in new[] { good, badCondition, badCategory }) DataFixtures.WriteImage(f, 8, 8);
        File.WriteAllText(unreadable, "not a png");

        var e = Assert.Throws<DataFileException>(() => ModelVsHumanDataset.Open(dir["datasets"], "rotation"));
        Assert.Contains(badCondition + ": condition '45' is not one of rotation's conditions (0, 90, 180, 270)", e.Message);

        var skipped = ModelVsHumanDataset.Open(dir["datasets"], "rotation", BadSamplePolicy.Skip);
        Assert.Equal(good, Assert.Single(skipped.Images).Path);
        Assert.Equal(new Dictionary<DataProblem, int> { [DataProblem.MalformedFile] = 1, [DataProblem.UnknownClass] = 1, [DataProblem.UnreadableImage] = 1 },
            skipped.Report.SkipCounts);
        Assert.Equal(badCategory, skipped.Report.Skipped.Single(s => s.Reason == DataProblem.UnknownClass).File);
        Assert.Equal(unreadable, skipped.Report.Skipped.Single(s => s.Reason == DataProblem.UnreadableImage).File);

        DataFixtures.WriteImage(dir["datasets/edge/zebra/zebra1.png"], 8, 8);
        Assert.Contains("category 'zebra' is not one of the 16",
            Assert.Throws<DataFileException>(() => ModelVsHumanDataset.Open(dir["datasets"], "edge")).Message);
        Assert.Contains("dataset folder not found",
            Assert.Throws<DataFileException>(() => ModelVsHumanDataset.Open(dir["datasets"], "sketch")).Message);
    }

    const string SubjectCsv = """
        subj,Session,trial,rt,object_response,category,condition,imagename
        subject-01,1,1,0.796405076980591,oven,oven,cr,0001_cl_s01_cr_oven_40_n04111531_14126.png
        subject-01,1,2,0.656121015548706,cat,bear,cr,0002_cl_s01_cr_bear_40_n02134084_5274.png
        subject-01,1,3,NaN,na,chair,bw,0003_cl_s01_bw_chair_40_n04429376_21865.png
        """;

    [Fact]
    public void Human_trials_are_parsed_per_row()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["raw-data/colour"]);
        File.WriteAllText(dir["raw-data/colour/colour_subject-01_session_1.csv"], SubjectCsv);
        File.WriteAllText(dir["raw-data/colour/colour_subject-02_session_1.csv"], SubjectCsv.Replace("subject-01", "subject-02"));
        File.WriteAllText(dir["raw-data/colour/colour_resnet50_session-1.csv"], "subj,session,trial,rt,object_response,category,condition,imagename\nresnet50,1,1,NaN,oven,oven,cr,x.png\n");
        var set = HumanTrials.ReadDataset(dir["raw-data"], "colour");
        Assert.Equal(6, set.Trials.Count);
        Assert.Equal(new HumanTrial("subject-01", 1, 2, "0002_cl_s01_cr_bear_40_n02134084_5274.png", "n02134084_5274.png", "cr", "cat", "bear", 0.656121015548706),
            set.Trials[1]);
        Assert.True(set.Trials[0].Correct);
        Assert.False(set.Trials[1].Correct);
        var noAnswer = set.Trials[2];
        Assert.Null(noAnswer.Response);
        Assert.Null(noAnswer.ResponseTimeSeconds);
        Assert.False(noAnswer.Correct);
        Assert.Equal(["subject-01", "subject-02"], set.Trials.Select(t => t.Subject).Distinct());
        Assert.Equal((6, 6), (set.Report.Listed, set.Report.Loaded));
    }

    [Fact]
    public void Human_trial_image_id_matches_the_dataset_image()
    {
        using var dir = new TempDir();
        DataFixtures.WriteImage(dir["datasets/colour/session-1/0001_cl_dnn_cr_oven_40_n04111531_14126.png"], 8, 8);
        Directory.CreateDirectory(dir["raw-data/colour"]);
        File.WriteAllText(dir["raw-data/colour/colour_subject-01_session_1.csv"], SubjectCsv);
        var image = ModelVsHumanDataset.Open(dir["datasets"], "colour").Images.Single();
        var trial = HumanTrials.ReadDataset(dir["raw-data"], "colour").Trials[0];
        Assert.Equal(image.ImageId, trial.ImageId);
        Assert.Equal((image.Category, image.Condition), (trial.Category, trial.Condition));
    }

    [Fact]
    public void Bad_human_rows_are_named_with_file_and_line_or_counted()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["raw-data/colour"]);
        var path = dir["raw-data/colour/colour_subject-01_session_1.csv"];
        File.WriteAllText(path, SubjectCsv + "\nsubject-01,1,4,0.5,zebra,cat,cr,0004_cl_s01_cr_cat_40_n02123045_1.png\nsubject-01,1,x,0.5,cat,cat,cr,y.png\n");
        var e = Assert.Throws<DataFileException>(() => HumanTrials.ReadDataset(dir["raw-data"], "colour"));
        Assert.Equal(DataProblem.UnknownClass, e.Problem);
        Assert.Contains(path + ": line 5: object_response 'zebra' is not one of the 16 categories", e.Message);

        var set = HumanTrials.ReadDataset(dir["raw-data"], "colour", BadSamplePolicy.Skip);
        Assert.Equal((5, 3), (set.Report.Listed, set.Trials.Count));
        Assert.Equal(new Dictionary<DataProblem, int> { [DataProblem.MalformedFile] = 1, [DataProblem.UnknownClass] = 1 }, set.Report.SkipCounts);

        File.WriteAllText(path, "subj,session,trial,object_response,category,imagename\n");
        Assert.Contains("header lacks column(s) rt, condition",
            Assert.Throws<DataFileException>(() => HumanTrials.ReadDataset(dir["raw-data"], "colour")).Message);
        Assert.Contains("no human data files",
            Assert.Throws<DataFileException>(() => HumanTrials.ReadDataset(dir["raw-data"], "contrast")).Message);
    }
}
