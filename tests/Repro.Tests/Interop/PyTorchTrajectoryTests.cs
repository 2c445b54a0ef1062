using Repro.Config;
using Repro.Interop;

namespace Repro.Tests.Interop;

/// <summary>Finding a trajectory's checkpoints in a folder: the names accepted, their order, gaps and duplicates.</summary>
[Trait("Category", TestCategories.Unit)]
public sealed class PyTorchTrajectoryTests : IDisposable
{
    readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    string Folder(params string[] names)
    {
        var folder = Directory.CreateDirectory(_tmp.Combine("resnet18")).FullName;
        foreach (var name in names) File.WriteAllText(Path.Combine(folder, name), "");
        return folder;
    }

    [Fact]
    public void Iterations_are_ordered_by_number_not_by_name()
    {
        var folder = Folder(Enumerable.Range(0, 12).Select(i => $"model_epoch_89_pruning_iteration_{i}.pth").ToArray());
        var files = PyTorchTrajectory.Find(folder);
        Assert.Equal(Enumerable.Range(0, 12), files.Select(f => f.Iteration));
        // as strings, ..._10.pth and ..._11.pth sort before ..._2.pth
        Assert.Equal("model_epoch_89_pruning_iteration_2.pth", Path.GetFileName(files[2].Path));
        Assert.Equal("model_epoch_89_pruning_iteration_10.pth", Path.GetFileName(files[10].Path));
        Assert.All(files, f => Assert.Equal(89, f.Epoch));
    }

    [Fact]
    public void Zero_padded_model_named_and_plain_names_are_read()
    {
        var folder = Folder("vit_b_32_epoch_299_pruning_iteration_00.pth", "model_epoch_89_pruning_iteration_01.pth", "iter-2.pth", "3.pth",
            "checkpoint.pth", "notes.txt");
        var files = PyTorchTrajectory.Find(folder);
        Assert.Equal([0, 1, 2, 3], files.Select(f => f.Iteration));
        Assert.Equal([299, 89, null, null], files.Select(f => f.Epoch));
    }

    [Fact]
    public void The_last_epoch_of_an_iteration_is_its_checkpoint()
    {
        var folder = Folder("model_epoch_9_pruning_iteration_0.pth", "model_epoch_89_pruning_iteration_0.pth", "model_epoch_10_pruning_iteration_0.pth");
        Assert.Equal("model_epoch_89_pruning_iteration_0.pth", Path.GetFileName(Assert.Single(PyTorchTrajectory.Find(folder)).Path));
    }

    [Fact]
    public void A_gap_names_the_missing_iteration()
    {
        var folder = Folder("model_epoch_89_pruning_iteration_0.pth", "model_epoch_89_pruning_iteration_1.pth",
            "model_epoch_89_pruning_iteration_3.pth", "model_epoch_89_pruning_iteration_4.pth");
        var e = Assert.Throws<ConfigException>(() => PyTorchTrajectory.Find(folder));
        Assert.Contains(folder, e.Message);
        Assert.Contains("pruning iteration 2 is missing (found iterations 0-1, 3-4)", e.Message);
        Assert.Contains("Add the checkpoint of iteration 2", e.Message);
    }

    [Fact]
    public void A_trajectory_must_start_at_iteration_0()
    {
        var folder = Folder("model_epoch_89_pruning_iteration_1.pth");
        Assert.Contains("pruning iteration 0 is missing", Assert.Throws<ConfigException>(() => PyTorchTrajectory.Find(folder)).Message);
    }

    [Fact]
    public void Two_files_for_one_iteration_and_epoch_are_refused()
    {
        var folder = Folder("model_epoch_89_pruning_iteration_2.pth", "model_epoch_89_pruning_iteration_02.pth",
            "model_epoch_89_pruning_iteration_0.pth", "model_epoch_89_pruning_iteration_1.pth");
        var e = Assert.Throws<ConfigException>(() => PyTorchTrajectory.Find(folder));
        Assert.Contains("iteration 2 has 2 checkpoints of the same epoch", e.Message);
        Assert.Contains("model_epoch_89_pruning_iteration_02.pth", e.Message);
    }

    [Fact]
    public void A_folder_without_checkpoints_says_what_names_it_expects()
    {
        var folder = Folder("checkpoint.pth");
        Assert.Contains("no checkpoint named model_epoch_<E>_pruning_iteration_<i>.pth", Assert.Throws<ConfigException>(() => PyTorchTrajectory.Find(folder)).Message);
    }

    [Fact]
    public void The_model_folder_is_its_key_else_its_architecture()
    {
        var model = new ModelConfig { Architecture = "resnet18", Width = 0.25 };
        Folder();
        Assert.Equal(_tmp.Combine("resnet18"), PyTorchTrajectory.ModelFolder(_tmp.Path, model));
        Directory.CreateDirectory(_tmp.Combine(model.Key));
        Assert.Equal(_tmp.Combine(model.Key), PyTorchTrajectory.ModelFolder(_tmp.Path, model));
        var e = Assert.Throws<ConfigException>(() => PyTorchTrajectory.ModelFolder(_tmp.Path, new ModelConfig { Architecture = "vit_b_32" }));
        Assert.Contains("no folder 'vit_b_32/'", e.Message);
    }
}
