using BenchmarkDotNet.Running;
using Repro.Torch;

// Before any benchmark touches libtorch; every job runs in this process (InProcessShortRun, SingleInvocationRun).
TorchRuntime.Configure(TorchRuntimeOptions.FromEnvironment());
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
