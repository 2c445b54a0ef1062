// Tests share libtorch's thread pool and the repository's report folders; run them one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// A run picks its convolution kernels for the whole process (Models/ConvolutionBackend); each test starts from the
// library's own state, oneDNN off, whatever the test before it ran.
[assembly: Repro.Tests.NativeConvolutionsBetweenTests]

namespace Repro.Tests
{
    [AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method)]
    sealed class NativeConvolutionsBetweenTestsAttribute : Xunit.Sdk.BeforeAfterTestAttribute
    {
        public override void After(System.Reflection.MethodInfo methodUnderTest) => Repro.Models.ConvolutionBackend.SetOneDnn(false);
    }
}
