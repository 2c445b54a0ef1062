using System.Text.Json.Nodes;
using Repro.Data;
using Repro.Data.Coco;

namespace Repro.Tests.Data;

[Trait("Category", TestCategories.Unit)]
public class Coco20kDatasetTests
{
    sealed class Fixture : IDisposable
    {
        public TempDir Dir { get; } = new();
        public JsonObject Instances { get; }
        public List<string> List { get; } = ["train2014/COCO_train2014_000000000009.jpg", "train2014/COCO_train2014_000000000025.jpg"];

        public Fixture()
        {
            DataFixtures.WriteImage(Dir["images/train2014/COCO_train2014_000000000009.jpg"], 64, 48);
            DataFixtures.WriteImage(Dir["images/train2014/COCO_train2014_000000000025.jpg"], 40, 56);
            DataFixtures.WriteImage(Dir["images/train2014/COCO_train2014_000000000030.jpg"], 20, 20);
            // As in instances_train2014.json: images, annotations (segmentation polygons, float boxes), categories.
            Instances = JsonNode.Parse("""
            {
              "info": {"description": "COCO 2014 Dataset"},
              "images": [
                {"license": 3, "file_name": "COCO_train2014_000000000009.jpg", "height": 48, "width": 64, "id": 9},
                {"license": 1, "file_name": "COCO_train2014_000000000025.jpg", "height": 56, "width": 40, "id": 25},
                {"license": 1, "file_name": "COCO_train2014_000000000030.jpg", "height": 20, "width": 20, "id": 30}
              ],
              "annotations": [
                {"segmentation": [[1.0, 2.0, 30.0, 2.0, 30.0, 20.0]], "area": 300.5, "iscrowd": 0, "image_id": 9, "bbox": [1.5, 2.25, 28.5, 17.75], "category_id": 51, "id": 1038967},
                {"segmentation": {"counts": [0, 5, 10], "size": [48, 64]}, "area": 900, "iscrowd": 1, "image_id": 9, "bbox": [0, 0, 64, 48], "category_id": 1, "id": 900100},
                {"segmentation": [[0, 0, 1, 1]], "area": 100, "iscrowd": 0, "image_id": 9, "bbox": [40, 10, 24, 38], "category_id": 1, "id": 1038968},
                {"segmentation": [[0, 0, 1, 1]], "area": 100, "iscrowd": 0, "image_id": 25, "bbox": [0, 0, 40, 56], "category_id": 18, "id": 7},
                {"segmentation": [[0, 0, 1, 1]], "area": 10, "iscrowd": 0, "image_id": 30, "bbox": [1, 1, 5, 5], "category_id": 18, "id": 8}
              ],
              "categories": [
                {"supercategory": "person", "id": 1, "name": "person"},
                {"supercategory": "animal", "id": 18, "name": "dog"},
                {"supercategory": "kitchen", "id": 51, "name": "bowl"}
              ]
            }
            """)!.AsObject();
        }

        public Coco20kOptions Options(BadSamplePolicy policy = BadSamplePolicy.Fail)
        {
            File.WriteAllText(Dir["instances_train2014.json"], Instances.ToJsonString());
            File.WriteAllLines(Dir["coco_20k_filenames.txt"], List);
            return new Coco20kOptions
            {
                ImagesRoot = Dir["images"], FileList = Dir["coco_20k_filenames.txt"], Annotations = Dir["instances_train2014.json"], Policy = policy,
            };
        }

        public JsonArray Annotations => Instances["annotations"]!.AsArray();
        public void Dispose() => Dir.Dispose();
    }

    [Fact]
    public void Listed_images_get_their_non_crowd_objects_with_corner_boxes()
    {
        using var f = new Fixture();
        var coco = Coco20kDataset.Open(f.Options());
        Assert.Equal([9L, 25L], coco.Samples.Select(s => s.ImageId)); // image 30 is not in the list
        var first = coco.Samples[0];
        Assert.Equal((64, 48), (first.Width, first.Height));
        Assert.Equal(f.Dir["images/train2014/COCO_train2014_000000000009.jpg"], first.ImagePath);
        Assert.Equal(
            [new CocoObject(1038967, 51, "bowl", new PixelBox(2, 2, 30, 20)), new CocoObject(1038968, 1, "person", new PixelBox(40, 10, 64, 48))],
            first.Objects);
        Assert.Equal(new PixelBox(0, 0, 40, 56), coco.Samples[1].Objects[0].Box);
        Assert.Contains("1 crowd regions (iscrowd = 1) dropped", coco.Report.Notes);
        Assert.Equal(3, coco.Categories.Count);
        var loc = coco.ToLocalisation();
        Assert.Equal(("9", "bowl"), (loc[0].Id, loc[0].Objects[0].ClassName));
    }

    [Fact]
    public void Boxes_are_rounded_half_to_even_as_lost_scores_them()
    {
        using var f = new Fixture();
        // corners (2.5, 3.5, 12.5, 13.5) and (0.4, 0.6, 39.6, 55.4): Python's round gives 2, 4, 12, 14 and 0, 1, 40, 55
        f.Annotations[0]!["bbox"] = new JsonArray(2.5, 3.5, 10.0, 10.0);
        f.Annotations[3]!["bbox"] = new JsonArray(0.4, 0.6, 39.2, 54.8);
        var coco = Coco20kDataset.Open(f.Options());
        Assert.Equal(new PixelBox(2, 4, 12, 14), coco.Samples[0].Objects[0].Box);
        Assert.Equal(new PixelBox(0, 1, 40, 55), coco.Samples[1].Objects[0].Box);
        Assert.Equal(new PixelBox(0, 1, 40, 55), coco.ToLocalisation()[1].Objects[0].Box);
    }

    [Fact]
    public void Image_with_only_crowd_regions_is_kept_and_noted()
    {
        using var f = new Fixture();
        f.Annotations.RemoveAt(3);
        f.Annotations.Add(JsonNode.Parse("""{"iscrowd": 1, "image_id": 25, "bbox": [0, 0, 4, 4], "category_id": 1, "id": 99}"""));
        var coco = Coco20kDataset.Open(f.Options());
        Assert.Empty(coco.Samples[1].Objects);
        Assert.Contains("1 images have no object left after dropping crowd regions", coco.Report.Notes);
    }

    [Fact]
    public void Standard_categories_are_checked_when_expected()
    {
        using var f = new Fixture();
        var e = Assert.Throws<DataFileException>(() => Coco20kDataset.Open(new Coco20kOptions
        {
            ImagesRoot = f.Dir["images"], FileList = f.Options().FileList, Annotations = f.Options().Annotations, ExpectedCategories = ClassLists.Coco,
        }));
        Assert.Contains("categories differ from the expected 80", e.Message);
        Assert.Equal(80, ClassLists.Coco.Count);
        Assert.Equal(new CocoCategory(90, "toothbrush"), ClassLists.Coco[^1]);
        Assert.Equal(80, ClassLists.Coco.Select(c => c.Id).Distinct().Count());
    }

    static void AssertBad(Action<Fixture> spoil, DataProblem problem, Func<Fixture, string> file, string phrase)
    {
        using var f = new Fixture();
        spoil(f);
        var e = Assert.Throws<DataFileException>(() => Coco20kDataset.Open(f.Options()));
        Assert.Equal(problem, e.Problem);
        Assert.Contains(file(f), e.Message);
        Assert.Contains(phrase, e.Message);
        var skipping = Coco20kDataset.Open(f.Options(BadSamplePolicy.Skip));
        Assert.Equal((2, 1), (skipping.Report.Listed, skipping.Report.Loaded));
        Assert.Equal(problem, Assert.Single(skipping.Report.Skipped).Reason);
    }

    [Fact]
    public void Box_outside_the_image() => AssertBad(
        f => f.Annotations[3]!["bbox"] = new JsonArray(10, 10, 40, 40),
        DataProblem.BoxOutsideImage, f => f.Dir["instances_train2014.json"], "annotation 7 (image 25) has bbox [10, 10, 40, 40]");

    [Fact]
    public void Unknown_category_id() => AssertBad(
        f => f.Annotations[3]!["category_id"] = 77,
        DataProblem.UnknownClass, f => f.Dir["instances_train2014.json"], "category_id 77");

    [Fact]
    public void Listed_image_missing_from_the_JSON() => AssertBad(
        f => f.List[1] = "train2014/COCO_train2014_000000000031.jpg",
        DataProblem.MissingFile, f => f.Dir["instances_train2014.json"], "has no image with id 31");

    [Fact]
    public void Missing_image_file() => AssertBad(
        f => File.Delete(f.Dir["images/train2014/COCO_train2014_000000000025.jpg"]),
        DataProblem.MissingFile, f => f.Dir["images/train2014/COCO_train2014_000000000025.jpg"], "image file not found");

    [Fact]
    public void Image_size_differs_from_the_JSON() => AssertBad(
        f => DataFixtures.WriteImage(f.Dir["images/train2014/COCO_train2014_000000000025.jpg"], 56, 40),
        DataProblem.SizeMismatch, f => f.Dir["images/train2014/COCO_train2014_000000000025.jpg"], "image is 56x40");

    [Fact]
    public void Unreadable_image()
    {
        using var f = new Fixture();
        var path = f.Dir["images/train2014/COCO_train2014_000000000025.jpg"];
        File.WriteAllText(path, "not a jpeg");
        var e = Assert.Throws<CorruptImageException>(() => Coco20kDataset.Open(f.Options()));
        Assert.Equal(path, e.PathName);
        var skipping = Coco20kDataset.Open(f.Options(BadSamplePolicy.Skip));
        Assert.Equal(DataProblem.UnreadableImage, Assert.Single(skipping.Report.Skipped).Reason);
    }

    [Fact]
    public void File_list_line_without_an_id() => AssertBad(
        f => f.List[1] = "train2014/readme.jpg",
        DataProblem.MalformedFile, f => f.Dir["coco_20k_filenames.txt"], "line 2: 'train2014/readme.jpg' does not end in an image id");

    [Fact]
    public void Missing_files_and_malformed_JSON_are_named()
    {
        using var f = new Fixture();
        var options = f.Options();
        File.WriteAllText(options.Annotations, "{\"images\": [");
        var e = Assert.Throws<DataFileException>(() => Coco20kDataset.Open(options));
        Assert.Contains(options.Annotations + ": malformed COCO JSON", e.Message);
        File.Delete(options.FileList);
        e = Assert.Throws<DataFileException>(() => Coco20kDataset.Open(options));
        Assert.Equal(DataProblem.MissingFile, e.Problem);
        Assert.Contains(options.FileList, e.Message);
    }
}
