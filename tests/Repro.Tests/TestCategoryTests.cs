using System.Reflection;

namespace Repro.Tests;

[Trait("Category", TestCategories.Unit)]
public class TestCategoryTests
{
    static IEnumerable<Type> TestClasses() => typeof(TestCategoryTests).Assembly.GetTypes()
        .Where(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
            .Any(m => m.IsDefined(typeof(FactAttribute), inherit: true)));

    // xunit 2's TraitAttribute keeps its arguments only in the metadata, where its discoverer reads them too.
    static string[] Categories(MemberInfo member) =>
        member.GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(TraitAttribute) && a.ConstructorArguments[0].Value as string == TestCategories.Trait)
            .Select(a => (string)a.ConstructorArguments[1].Value!)
            .ToArray();

    // A class without a category, or with two, would be left out of (or doubled in) the filtered runs.
    [Fact]
    public void Every_test_class_carries_exactly_one_known_category()
    {
        var classes = TestClasses().ToList();
        Assert.Contains(typeof(TestCategoryTests), classes);
        var wrong = classes
            .Select(t => (t.FullName, Categories: Categories(t)))
            .Where(c => c.Categories.Length != 1 || !TestCategories.All.Contains(c.Categories[0]))
            .Select(c => $"{c.FullName}: [{string.Join(", ", c.Categories)}]")
            .ToList();
        Assert.True(wrong.Count == 0, $"test classes need exactly one [Trait(\"Category\", TestCategories.X)]:\n{string.Join("\n", wrong)}");
    }

    [Fact]
    public void No_test_method_overrides_its_class_category()
    {
        var methods = TestClasses()
            .SelectMany(t => t.GetMethods().Where(m => m.IsDefined(typeof(FactAttribute), inherit: true)))
            .Where(m => Categories(m).Length > 0)
            .Select(m => $"{m.DeclaringType!.FullName}.{m.Name}")
            .ToList();
        Assert.True(methods.Count == 0, $"categories belong on the class:\n{string.Join("\n", methods)}");
    }

    [Fact]
    public void Only_tests_of_the_figures_namespace_are_in_the_figures_category()
    {
        var figures = typeof(TestCategoryTests).Namespace + ".Figures";
        Assert.All(TestClasses().Where(t => Categories(t).Contains(TestCategories.Figures)), t => Assert.Equal(figures, t.Namespace));
    }
}
