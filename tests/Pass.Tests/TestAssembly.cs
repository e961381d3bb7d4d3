// The test kits share one CpuBackend per kit across test classes (ExtractionKit.Cpu, BaselineKit.Cpu,
// MaskTestKit.Cpu, …), and a backend's buffer pool is not thread-safe: classes running in
// parallel on one backend failed now and then (a NullReferenceException allocating a tensor). On
// the 2-core machines this project runs on, parallel classes bought little time anyway.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
