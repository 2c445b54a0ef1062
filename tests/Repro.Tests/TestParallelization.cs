// libtorch calls from several threads at once crashed intermittently and tests share torch's global RNG:
// test classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
