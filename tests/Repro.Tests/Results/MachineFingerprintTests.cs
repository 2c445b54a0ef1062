using Repro.Results;

namespace Repro.Tests.Results;

[Trait("Category", TestCategories.Unit)]
public class MachineFingerprintTests
{
    static string CpuInfo(string vendor, string family, string model, string flags) =>
        $"processor\t: 0\nvendor_id\t: {vendor}\ncpu family\t: {family}\nmodel\t\t: {model}\nmodel name\t: Some CPU\nflags\t\t: {flags}\n\n" +
        "processor\t: 1\nvendor_id\t: OtherVendor\ncpu family\t: 99\nmodel\t\t: 99\nflags\t\t: avx512f\n";

    [Theory]
    [InlineData("fpu sse2 avx avx2 fma", "GenuineIntel family 6 model 85 avx2")]
    [InlineData("fpu sse2 avx avx2 avx512f avx512dq", "GenuineIntel family 6 model 85 avx512f")]
    [InlineData("fpu sse2 avx", "GenuineIntel family 6 model 85 none")]
    public void The_fingerprint_is_vendor_family_model_and_the_widest_simd_level_of_the_first_processor(string flags, string fingerprint) =>
        Assert.Equal(fingerprint, MachineFingerprint.FromCpuInfo(CpuInfo("GenuineIntel", "6", "85", flags)));

    [Fact]
    public void A_cpuinfo_without_a_vendor_gives_none_so_the_architecture_is_used()
    {
        Assert.Null(MachineFingerprint.FromCpuInfo("processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\nCPU part\t: 0xd0c\n"));
        Assert.False(string.IsNullOrWhiteSpace(MachineFingerprint.Current()));
        Assert.Equal(MachineFingerprint.Current(), Provenance.Capture(TestSupport.TinyProfile(), TestSupport.RepoRoot, "cpu", "", 1).Machine);
    }
}
