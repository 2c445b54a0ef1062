namespace Repro.Tests;

/// <summary>
/// The values of the "Category" trait every test class carries exactly one of (checked by TestCategoryTests), so that
/// --filter Category=... selects every test: Unit runs in under a minute; Integration runs the CLI, child processes,
/// trainings and MSBuild; Figures measures the ci profile's figures; Browser opens the ci report in headless Chromium;
/// Stress is left out of a plain dotnet test.
/// </summary>
public static class TestCategories
{
    public const string Trait = "Category";
    public const string Unit = "Unit";
    public const string Integration = "Integration";
    public const string Figures = "Figures";
    public const string Browser = "Browser";
    public const string Stress = "Stress";

    public static readonly IReadOnlyList<string> All = [Unit, Integration, Figures, Browser, Stress];
}
