using Repro.Config;
using Repro.Data;
using Repro.Data.ModelVsHuman;
using Repro.Data.Synthetic;
using Repro.Measurement.Alignment.Evaluation;
using Repro.Tests.Data;

namespace Repro.Tests.Faults;

[Trait("Category", TestCategories.Unit)]
public class MissingImageTests
{
    static readonly SyntheticConfig Data = new() { Classes = 3, TrainPerClass = 1, ValPerClass = 1, ImageSize = 32 };
    static readonly IReadOnlyList<string> Classes = ShapeClasses.Names.Take(3).ToList();

    static AlignmentConfig Alignment() => new()
    {
        Source = AlignmentSource.Synthetic, Datasets = ["silhouette", "colour"], ParametricImagesPerClass = 2, NonParametricImagesPerClass = 2, Seed = 4,
    };

    [Fact]
    public void A_deleted_generated_image_is_an_error_naming_it_unless_the_profile_skips_it_and_then_it_is_counted()
    {
        using var dir = new TempDir();
        var datasets = SyntheticModelVsHuman.DatasetsFolder(SyntheticModelVsHuman.Ensure(dir.Path, Data, Alignment()));
        var complete = OodSuite.Open(datasets, null, ["silhouette", "colour"], Classes, 2, 2);
        Assert.Empty(complete.MissingImages);
        Assert.Equal(3 * 2 + 3 * 2 * 2, complete.ImageCount);

        var deleted = Path.Combine(datasets, "silhouette", Classes[1], $"{Classes[1]}2.png");
        File.Delete(deleted);
        var e = Assert.Throws<DataFileException>(() => OodSuite.Open(datasets, null, ["silhouette", "colour"], Classes, 2, 2));
        Assert.Contains(deleted, e.Message);
        Assert.Contains("alignment.missing_images: skip", e.Message);

        var skipped = OodSuite.Open(datasets, null, ["silhouette", "colour"], Classes, 2, 2, MissingImagePolicy.Skip);
        Assert.Equal([deleted], skipped.MissingImages);
        Assert.Equal(complete.ImageCount - 1, skipped.ImageCount);
    }

    [Fact]
    public void An_image_the_human_trials_show_but_the_release_lacks_is_an_error_naming_it()
    {
        using var dir = new TempDir();
        DataFixtures.WriteImage(dir["datasets/colour/session-1/0001_cl_dnn_bw_oven_40_n04111531_14126.png"], 8, 8);
        Directory.CreateDirectory(dir["raw-data/colour"]);
        File.WriteAllText(dir["raw-data/colour/colour_subject-01_session_1.csv"], """
            subj,Session,trial,rt,object_response,category,condition,imagename
            subject-01,1,1,0.8,oven,oven,bw,0001_cl_s01_bw_oven_40_n04111531_14126.png
            subject-01,1,2,0.9,bear,bear,bw,0002_cl_s01_bw_bear_40_n02134084_5274.png
            """);

        var e = Assert.Throws<DataFileException>(() => OodSuite.Open(dir["datasets"], dir["raw-data"], ["colour"], ModelVsHumanCategories.Names, null, null));
        Assert.Contains("0002_cl_s01_bw_bear_40_n02134084_5274.png", e.Message);
        Assert.Contains("human trials", e.Message);

        var skipped = OodSuite.Open(dir["datasets"], dir["raw-data"], ["colour"], ModelVsHumanCategories.Names, null, null, MissingImagePolicy.Skip);
        Assert.Single(skipped.MissingImages, m => m.EndsWith("0002_cl_s01_bw_bear_40_n02134084_5274.png"));
        Assert.Equal(1, skipped.ImageCount);
    }

    [Fact]
    public void Skipped_images_are_listed_in_the_report()
    {
        using var tmp = new TempDir();
        var results = new Repro.Results.FigureResults
        {
            Figure = "human-alignment", Title = "Alignment", Profile = "tiny", SkippedInputs = ["/data/model-vs-human/datasets/colour/session-1/0002.png"],
        };
        ContentHash.SaveYaml(Path.Combine(Repro.Figures.FigureRunner.ReportDirectory(tmp.Path, "tiny"), "human-alignment", "results.yaml"), results);
        var html = File.ReadAllText(Repro.Report.HtmlReport.Write(tmp.Path, "tiny", [new Repro.Figures.HumanAlignmentFigure()]));
        Assert.Contains("1 input files were missing and skipped", html);
        Assert.Contains("colour/session-1/0002.png", html);
    }

    [Fact]
    public void The_profile_key_defaults_to_error_and_accepts_skip()
    {
        Assert.Equal(MissingImagePolicy.Error, new AlignmentConfig { Source = AlignmentSource.Synthetic, Datasets = [] }.MissingImages);
        var profile = StrictYaml.Parse<AlignmentConfig>("source: synthetic\ndatasets: [colour]\nmissing_images: skip\n", "test.yaml");
        Assert.Equal(MissingImagePolicy.Skip, profile.MissingImages);
    }
}
