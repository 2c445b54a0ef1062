using Repro.Config;
using Repro.Figures;
using Repro.Results;

namespace Repro.Tests.Faults;

/// <summary>Malformed YAML in a profile or an expected-results file is reported with the file, the line and the key.</summary>
[Trait("Category", TestCategories.Unit)]
public class YamlFaultTests
{
    static readonly string[] CiProfile = ["profiles", "ci.yaml"];
    static readonly string[] CiAccuracy = ["expected-results", "ci", "accuracy.yaml"];

    /// <summary>Writes the committed file with the first line equal to <paramref name="line"/> replaced; returns the path and that line's number.</summary>
    static (string Path, int Line) WriteWith(TempDir dir, string[] committed, string line, string replacement)
    {
        var (text, number) = TestSupport.CommittedWithLine(committed, line, replacement);
        var path = dir[committed[^1]];
        File.WriteAllText(path, text);
        return (path, number);
    }

    static ConfigException LoadProfile(string path) =>
        Assert.Throws<ConfigException>(() => ProfileLoader.LoadFile(path));

    [Fact]
    public void An_unclosed_list_in_a_profile_names_the_file_the_line_and_the_key()
    {
        using var dir = new TempDir();
        var (path, line) = WriteWith(dir, CiProfile, "  epochs: 2", "  epochs: [8");
        var e = LoadProfile(path);
        Assert.StartsWith($"{path}:{line}: malformed YAML: the '[' list of 'schedule.epochs' is never closed", e.Message);
        Assert.Contains("close it with ']'", e.Message);
        Assert.DoesNotContain("current state of the object", e.Message);
    }

    [Fact]
    public void An_unclosed_list_in_an_expected_results_file_names_the_file_the_line_and_the_value()
    {
        using var dir = new TempDir();
        var (path, line) = WriteWith(dir, CiAccuracy, "  expected: ", "  expected: [0.6");
        var e = Assert.Throws<ConfigException>(() => ExpectedResults.Load(path));
        Assert.StartsWith($"{path}:{line}: malformed YAML: the '[' list of 'values[0].expected' is never closed", e.Message);
    }

    [Fact]
    public void An_unclosed_mapping_at_the_end_of_a_file_is_named()
    {
        using var dir = new TempDir();
        var path = dir["p.yaml"];
        File.WriteAllText(path, "name: p\nseed: 1\nschedule: {epochs: 8\n");
        var e = LoadProfile(path);
        Assert.StartsWith($"{path}:3: malformed YAML: the '{{' mapping of 'schedule' is never closed", e.Message);
    }

    [Fact]
    public void A_word_for_a_number_names_the_key_the_line_and_what_to_write()
    {
        using var dir = new TempDir();
        var (path, line) = WriteWith(dir, CiProfile, "  epochs: 2", "  epochs: eight");
        var e = LoadProfile(path);
        Assert.StartsWith($"{path}:{line}: 'schedule.epochs' is 'eight'", e.Message);
        Assert.EndsWith("write a whole number, e.g. 8", e.Message);
    }

    [Fact]
    public void A_word_for_a_tolerance_names_the_value_in_the_list()
    {
        using var dir = new TempDir();
        var (path, line) = WriteWith(dir, CiAccuracy, "  abs_tol: ", "  abs_tol: wide");
        var e = Assert.Throws<ConfigException>(() => ExpectedResults.Load(path));
        Assert.StartsWith($"{path}:{line}: 'values[0].abs_tol' is 'wide'", e.Message);
        Assert.EndsWith("write a number, e.g. 0.5", e.Message);
    }

    [Fact]
    public void A_scanner_error_names_the_key_it_was_reading()
    {
        using var dir = new TempDir();
        var (path, line) = WriteWith(dir, CiProfile, "  epochs: 2", "  epochs: \"8");
        var e = LoadProfile(path);
        Assert.StartsWith($"{path}:{line}: malformed YAML in 'schedule.epochs': ", e.Message);
    }
}
