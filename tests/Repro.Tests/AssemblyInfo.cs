// Tests share libtorch's thread pool and the repository's report folders; run them one class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
