// libtorch is set up once, before xunit discovers or runs anything (TorchTestFramework).
[assembly: TestFramework("Repro.Tests.TorchTestFramework", "Repro.Tests")]

// Tests share libtorch's thread pool and the test output root's report folders; run them one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// A run picks its convolution kernels for the whole process (Models/ConvolutionBackend); each test starts from the
// suite's own state, oneDNN off, whatever the test before it ran.
[assembly: Repro.Tests.NativeConvolutionsBetweenTests]

namespace Repro.Tests
{
    /// <summary>
    /// xunit's framework with <see cref="Repro.Torch.TorchRuntime.Configure"/> first: it is created before any test
    /// class, fixture or data source, so none of them can load libtorch before the OpenMP wait policy is set. The
    /// tests pin the suite's own setup, whatever the environment asks for.
    /// </summary>
    public sealed class TorchTestFramework : Xunit.Sdk.XunitTestFramework
    {
        public TorchTestFramework(Xunit.Abstractions.IMessageSink messageSink) : base(messageSink) =>
            Repro.Torch.TorchRuntime.Configure(new Repro.Torch.TorchRuntimeOptions());
    }

    [AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method)]
    sealed class NativeConvolutionsBetweenTestsAttribute : Xunit.Sdk.BeforeAfterTestAttribute
    {
        public override void After(System.Reflection.MethodInfo methodUnderTest) => Repro.Models.ConvolutionBackend.SetOneDnn(false);
    }
}
