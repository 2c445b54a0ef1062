namespace Repro.Tests;

[Trait("Category", TestCategories.Unit)]
public class TestSupportTests
{
    static bool Under(string path, string folder) =>
        Path.GetFullPath(path).StartsWith(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    [Fact]
    public void Test_output_goes_under_one_root_and_each_test_folder_is_its_own()
    {
        var expected = Environment.GetEnvironmentVariable("REPRO_TEST_OUTPUT") is { Length: > 0 } set ? set : Path.Combine(Path.GetTempPath(), "repro-tests");
        Assert.Equal(Path.GetFullPath(expected), TestSupport.OutputRoot);
        Assert.Equal(Path.Combine(TestSupport.OutputRoot, "cache"), TestSupport.CacheRoot);
        Assert.Equal(Path.Combine(TestSupport.OutputRoot, "reports"), TestSupport.ReportsRoot);

        string inside;
        using (var a = new TempDir())
        using (var b = new TempDir())
        {
            Assert.True(Under(a.Path, TestSupport.OutputRoot), a.Path);
            Assert.NotEqual(a.Path, b.Path);
            File.WriteAllText(a["x"], "");
            inside = a["x"];
        }
        Assert.False(File.Exists(inside), "a test's folder is deleted when it ends");
    }
}
